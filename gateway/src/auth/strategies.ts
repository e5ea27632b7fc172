import type { JWTPayload } from 'jose';
import { V2_AUDIENCE, V2_TYP } from '@propusk/contracts';
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

/** The token service issues v2 tokens with exactly these claims (RFC 9068 §2.2 less `client_id`). */
const V2_CLAIMS = ['iss', 'sub', 'aud', 'jti', 'iat', 'exp'];

/**
 * Exactly document 003's six claims, `aud` our v2 audience as a single string (RFC 9068 §4), `sub`
 * the account id and a `jti`. A document 001 token (`username`, `admin`, no `aud`) signed with the
 * same keys is refused here as well as by its `typ` (RFC 8725 §3.11/§3.12). The token names no
 * username: the account id stands in for it in the identity headers.
 */
export const v2Claims: ClaimsReader = (payload: JWTPayload) => {
  const names = Object.keys(payload);
  if (names.length !== V2_CLAIMS.length || names.some((claim) => !V2_CLAIMS.includes(claim))) {
    return undefined;
  }
  const { sub, aud, jti } = payload;
  if (typeof sub !== 'string' || sub === '' || aud !== V2_AUDIENCE) return undefined;
  if (typeof jti !== 'string' || jti === '') return undefined;
  return { subject: sub, username: sub, roles: [] };
};

/**
 * v2 (document 003): RS256 JWTs verified locally like envelope's (the same JWKS), but typed
 * `at+jwt` and issued by `issuer` (V2_ISSUER, else PUBLIC_BASE_URL, as the token service signs).
 * The document's `Authorization` header is the bare JWT ("JWT-токен авторизации", no scheme);
 * `Bearer <token>` (RFC 6750 §2.1) is taken as well. Verifications are reused for at most 60 s.
 */
export function v2Strategy(keys: KeySet, issuer: string): TokenStrategy {
  const verifier = createJwtVerifier({ profile: 'v2', keys, issuer, claims: v2Claims, typ: V2_TYP });
  return { schemes: ['bearer'], bare: true, cacheTtlMs: 60_000, verify: (token) => verifier.verify(token) };
}
