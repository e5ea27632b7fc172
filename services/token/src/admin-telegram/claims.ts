import { hasExactly, isNumericDate, parseClaims } from '../shared/jws.js';
import type { AdminTelegramRefusal } from './errors.js';

/**
 * Document 000's two tokens. Their claim sets are exactly the document's (no `iat`, `iss` or
 * `jti`), in its order (alphabetical, as the example tokens have them):
 * access `access_uuid, authorized, chat_id, exp, username` (15 minutes),
 * refresh `chat_id, exp, refresh_uuid, username` (7 days).
 */
export type AdminTokenKind = 'access' | 'refresh';

export interface AccessClaims {
  access_uuid: string;
  authorized: true;
  chat_id: number;
  exp: number;
  username: string;
}

export interface RefreshClaims {
  chat_id: number;
  exp: number;
  refresh_uuid: string;
  username: string;
}

export interface ClaimsOf {
  access: AccessClaims;
  refresh: RefreshClaims;
}

export const CLAIM_NAMES: Readonly<Record<AdminTokenKind, readonly string[]>> = {
  access: ['access_uuid', 'authorized', 'chat_id', 'exp', 'username'],
  refresh: ['chat_id', 'exp', 'refresh_uuid', 'username'],
};

/** The document's example uuids are RFC 9562 version-4 UUIDs in lowercase; we issue the same. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export type ClaimsVerdict<K extends AdminTokenKind> =
  { ok: true; claims: ClaimsOf[K] } | { ok: false; reason: AdminTelegramRefusal };

function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}

/** Telegram chat ids are integers up to 52 bits, negative for groups. */
function isChatId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function isUsername(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

function readClaims(
  kind: AdminTokenKind,
  c: Record<string, unknown>,
): AccessClaims | RefreshClaims | undefined {
  const { chat_id, exp, username } = c;
  if (!isChatId(chat_id) || !isNumericDate(exp) || !isUsername(username)) return undefined;
  if (kind === 'access') {
    const { access_uuid, authorized } = c;
    if (!isUuid(access_uuid) || authorized !== true) return undefined;
    return { access_uuid, authorized, chat_id, exp, username };
  }
  const { refresh_uuid } = c;
  if (!isUuid(refresh_uuid)) return undefined;
  return { chat_id, exp, refresh_uuid, username };
}

/**
 * Checks the claim set of a token whose signature is already verified: exactly the names of
 * its kind (so a refresh token is never an access token, RFC 8725 §3.12, even before the
 * per-kind keys make that impossible), well-typed, not expired. The access session in Redis
 * lives exactly as long as the token, so no leeway is given on `exp` (RFC 7519 §4.1.4).
 */
export function checkClaims<K extends AdminTokenKind>(
  kind: K,
  payload: Uint8Array,
  nowS: number,
): ClaimsVerdict<K> {
  const c = parseClaims(payload);
  if (!c) return { ok: false, reason: 'malformed' };
  if (!hasExactly(c, CLAIM_NAMES[kind])) return { ok: false, reason: 'bad_claims' };
  const claims = readClaims(kind, c);
  if (!claims) return { ok: false, reason: 'bad_claims' };
  if (nowS >= claims.exp) return { ok: false, reason: 'expired' };
  return { ok: true, claims: claims as ClaimsOf[K] };
}
