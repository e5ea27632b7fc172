import { createHash, randomBytes } from 'node:crypto';

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
 * Storage keys hold a hash of the state or code, never the value: a Redis listing then yields
 * nothing that could be replayed at the callback or at get/token.
 */
export function secretId(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
