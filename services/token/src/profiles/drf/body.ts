/**
 * check_token's body: `{"username": "<non-empty string>"}` and nothing else (document 004,
 * "Вход"). Surrounding whitespace is dropped, as DRF's CharField does by default.
 */
export function usernameFromBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'username') return undefined;
  const username = (body as { username: unknown }).username;
  if (typeof username !== 'string') return undefined;
  const trimmed = username.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * DRF's default parsers take JSON and HTML forms; Fastify parses JSON already (with prototype
 * poisoning protection), the shared form parser adds `application/x-www-form-urlencoded`.
 */
export { addFormParser } from '../form.js';
