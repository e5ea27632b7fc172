import { hasExactly, isNumericDate, parseClaims } from '../shared/jws.js';
import type { AuthorizationRefusal } from './errors.js';

/**
 * Document 002's tokens, decoded from its examples: the payload is exactly
 * `{"user_name", "header": {"alg": "HS256", "typ": "JWT", "uuid"}, "exp", "mode"}`, in that
 * order, `mode` `access_token` or `refresh_token`; the uuid names the token (a refresh token's
 * uuid names its session). `user_name` is the account's e-mail (else phone, else
 * `<provider>:<id>`: contracts' issueAuthorization).
 */
export type AuthorizationKind = 'access' | 'refresh';

export const MODE: Readonly<Record<AuthorizationKind, 'access_token' | 'refresh_token'>> = {
  access: 'access_token',
  refresh: 'refresh_token',
};

export interface PayloadHeader {
  alg: 'HS256';
  typ: 'JWT';
  uuid: string;
}

export interface AuthorizationClaims {
  user_name: string;
  header: PayloadHeader;
  exp: number;
  mode: 'access_token' | 'refresh_token';
}

const CLAIM_NAMES = ['user_name', 'header', 'exp', 'mode'];
const HEADER_NAMES = ['alg', 'typ', 'uuid'];
/** The document's uuids are RFC 9562 version-4 UUIDs in lowercase; we issue the same. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export type ClaimsVerdict =
  { ok: true; claims: AuthorizationClaims } | { ok: false; reason: AuthorizationRefusal };

function readHeader(v: unknown): PayloadHeader | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const h = v as Record<string, unknown>;
  if (!hasExactly(h, HEADER_NAMES) || h.alg !== 'HS256' || h.typ !== 'JWT') return undefined;
  return typeof h.uuid === 'string' && UUID.test(h.uuid)
    ? { alg: 'HS256', typ: 'JWT', uuid: h.uuid }
    : undefined;
}

/**
 * Checks the payload of a token whose signature is already verified: exactly the document's
 * names, the mode of the expected kind (so a refresh token is never an access token, RFC 8725
 * §3.12, even before the per-kind subkeys make that impossible), not expired. The session in
 * Redis ends with the token, so `exp` gets no leeway (RFC 7519 §4.1.4).
 */
export function checkClaims(kind: AuthorizationKind, payload: Uint8Array, nowS: number): ClaimsVerdict {
  const c = parseClaims(payload);
  if (!c) return { ok: false, reason: 'malformed' };
  if (!hasExactly(c, CLAIM_NAMES)) return { ok: false, reason: 'bad_claims' };
  const { user_name, exp, mode } = c;
  const header = readHeader(c.header);
  if (typeof user_name !== 'string' || user_name === '' || !header || !isNumericDate(exp)) {
    return { ok: false, reason: 'bad_claims' };
  }
  const expected = MODE[kind];
  if (mode !== expected) return { ok: false, reason: 'bad_claims' };
  if (nowS >= exp) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { user_name, header, exp, mode: expected } };
}
