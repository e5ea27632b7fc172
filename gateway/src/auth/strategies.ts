import type { JWTPayload } from 'jose';
import { createJwtVerifier, type ClaimsReader } from './verify-jwt.js';
import { createOpaqueVerifier, type Introspect } from './opaque.js';
import type { KeySet } from './jwks.js';
import type { TokenStrategy } from './authenticator.js';

/** drf (document 004): DRF authtoken format, 40 lowercase hex characters. */
export const DRF_TOKEN = /^[0-9a-f]{40}$/;

/** Document 004 shows `Bearer`; DRF's own TokenAuthentication keyword is `Token`. */
export function drfStrategy(introspect: Introspect): TokenStrategy {
  const verifier = createOpaqueVerifier({ profile: 'drf', format: DRF_TOKEN, introspect });
  // Introspection results are reused briefly (RFC 7662 §4: caching trades freshness for load);
  // revocation events and logouts through this gateway drop them at once.
  return { schemes: ['bearer', 'token'], cacheTtlMs: 10_000, verify: (token) => verifier.verify(token) };
}

/**
 * Document 001's claims are exactly `iss, username, admin, iat, exp` (the token service issues
 * no others); `sub`, `jti` and `nbf` are tolerated should it add them. Any other claim marks a
 * token of another profile or kind (a v2 token, a refresh token of 000/002) signed with the
 * same keys, and is refused (RFC 8725 §3.11/§3.12: distinct validation per kind).
 */
const ENVELOPE_CLAIMS = new Set(['iss', 'username', 'admin', 'iat', 'exp', 'sub', 'jti', 'nbf']);

/**
 * `admin` true stands for the admin (or superuser) role (DESIGN). The token carries no account
 * id: the subject is the account's username, as the token service's introspection answers it.
 */
export const envelopeClaims: ClaimsReader = (payload: JWTPayload) => {
  if (Object.keys(payload).some((claim) => !ENVELOPE_CLAIMS.has(claim))) return undefined;
  const { sub, username, admin } = payload;
  if (typeof username !== 'string' || username === '' || typeof admin !== 'boolean') return undefined;
  if (sub !== undefined && (typeof sub !== 'string' || sub === '')) return undefined;
  return { subject: sub ?? username, username, roles: admin ? ['admin'] : [] };
};

/**
 * admin-telegram (document 000): JWS compact serialisation, three base64url segments (RFC 7515
 * §7.1). Anything else is refused without asking the token service.
 */
export const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Document 000's tokens are HS256 and their secret stays in the token service, so the gateway
 * cannot verify them itself: it asks by RFC 7662 introspection, which also says which profile
 * and kind a token is (a refresh token, or another profile's JWT, is refused). The document
 * shows `Authorization: Bearer <token>` only. Results are reused for at most 10 s; revocation
 * events and the logout route drop them at once.
 */
export function adminTelegramStrategy(introspect: Introspect): TokenStrategy {
  const verifier = createOpaqueVerifier({ profile: 'admin-telegram', format: JWT_SHAPE, introspect });
  return { schemes: ['bearer'], cacheTtlMs: 10_000, verify: (token) => verifier.verify(token) };
}

export function envelopeStrategy(keys: KeySet, issuer: string): TokenStrategy {
  const verifier = createJwtVerifier({ profile: 'envelope', keys, issuer, claims: envelopeClaims });
  return { schemes: ['bearer'], cacheTtlMs: 60_000, verify: (token) => verifier.verify(token) };
}
