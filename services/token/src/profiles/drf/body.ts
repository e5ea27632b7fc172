import { checker, drfHttp } from '@propusk/contracts';

/** check_token's body (document 004, "Вход"): contracts' drfHttp.CheckTokenBody. */
export const CHECK_TOKEN_BODY = drfHttp.CheckTokenBody;

/**
 * The username of check_token's body: `{"username": "<non-empty string>"}` and nothing else.
 * Surrounding whitespace is dropped, as DRF's CharField does by default.
 */
export function usernameFromBody(body: unknown): string | undefined {
  return checker(CHECK_TOKEN_BODY).Check(body) ? body.username.trim() : undefined;
}

/**
 * DRF's default parsers take JSON and HTML forms; Fastify parses JSON already (with prototype
 * poisoning protection), the shared form parser adds `application/x-www-form-urlencoded`.
 */
export { addFormParser } from '../form.js';
