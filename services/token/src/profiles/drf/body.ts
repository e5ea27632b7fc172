import type { FastifyInstance } from 'fastify';

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

/** A form field given twice is ambiguous: it becomes an array, which the body check refuses. */
function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  }
  return { ...out };
}

/**
 * DRF's default parsers take JSON and HTML forms; Fastify parses JSON already (with prototype
 * poisoning protection), this adds `application/x-www-form-urlencoded` within the scope.
 */
export function addFormParser(scope: FastifyInstance): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, text, done) =>
    done(null, parseForm(text as string)),
  );
}
