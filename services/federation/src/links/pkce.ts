import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The secrets of one sign-in: the OAuth `state` (RFC 6749 §10.12: unguessable, bound to the
 * flow) and the PKCE verifier with its S256 challenge (RFC 7636 §4.1–4.2). Both come from the
 * CSPRNG: 256 bits for the state, 384 for the verifier (64 base64url characters, inside
 * RFC 7636's 43–128 of the unreserved set).
 */
export function newState(): string {
  return randomBytes(32).toString('base64url');
}

export function newVerifier(): string {
  return randomBytes(48).toString('base64url');
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * The browser binding: a 256-bit CSPRNG value that `/link` hands the browser in an HttpOnly
 * cookie and that the callback and get/token must see again. It ties the state and the code to
 * the user agent that started the flow (RFC 9700 §4.7.1, "CSRF protection" bound to the user
 * agent; §4.5 for the code): a state or code alone is no longer a bearer credential.
 */
export function newBinding(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Storage keys hold a hash of the state or code, never the value: a Redis listing then yields
 * nothing that could be replayed at the callback or at get/token.
 */
export function secretId(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * Whether `value` is the secret whose `secretId` was stored: hashes compared in constant time,
 * so the comparison reveals nothing of the stored hash. A missing value never matches.
 */
export function matchesSecretId(value: string | undefined, stored: string): boolean {
  if (!value) return false;
  const given = Buffer.from(secretId(value));
  const expected = Buffer.from(stored);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
