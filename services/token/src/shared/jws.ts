import type { KeyObject } from 'node:crypto';
import { compactVerify, type CryptoKey } from 'jose';
import type { VerifyingKey } from '../keys/ring.js';

/**
 * The protected header of our JWTs, checked before any key is looked up (both JWT profiles).
 *
 * Only `alg`, `typ` and `kid` are allowed: the members that let a token choose its own
 * verification key — `jku`, `jwk`, `x5u`, `x5c` (RFC 7515 §4.1.2–4.1.6) — and `crit`
 * (§4.1.11, extensions we would have to understand) are refused outright, as is anything else
 * we never issue (RFC 8725 §3.10: "Do Not Trust Received Claims"; keys come only from our store).
 */
export interface JwsHeader {
  alg: string;
  typ: string;
  kid: string;
}

export type HeaderRefusal = 'malformed' | 'forbidden_header' | 'unknown_kid' | 'wrong_typ';
export type HeaderVerdict = { ok: true; header: JwsHeader } | { ok: false; reason: HeaderRefusal };

/** A compact JWS (RFC 7515 §7.1): three base64url segments; the signature may be empty (alg none). */
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** The only `typ` we issue (RFC 7519 §5.1). */
export const JWT_TYP = 'JWT';

const ALLOWED = new Set(['alg', 'typ', 'kid']);
/** Our kids are base64url: RFC 7638 thumbprints (43 characters) or random ids; allow some room. */
const KID = /^[A-Za-z0-9_-]{1,128}$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string): unknown {
  if (!SEGMENT.test(segment)) throw new Error('not base64url');
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

export function checkJwsHeader(token: string): HeaderVerdict {
  const [encoded] = token.split('.', 1);
  let header: unknown;
  try {
    header = decodeSegment(encoded ?? '');
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return { ok: false, reason: 'malformed' };
  }
  const h = header as Record<string, unknown>;
  if (Object.keys(h).some((m) => !ALLOWED.has(m))) return { ok: false, reason: 'forbidden_header' };
  if (typeof h.alg !== 'string') return { ok: false, reason: 'malformed' };
  if (typeof h.kid !== 'string' || !KID.test(h.kid)) return { ok: false, reason: 'unknown_kid' };
  if (typeof h.typ !== 'string') return { ok: false, reason: 'wrong_typ' };
  return { ok: true, header: { alg: h.alg, typ: h.typ, kid: h.kid } };
}

/** The payload as a JSON object, or undefined (not UTF-8, not JSON, not an object). */
export function parseClaims(payload: Uint8Array): Record<string, unknown> | undefined {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
  return claims as Record<string, unknown>;
}

/** True when `claims` has exactly these names, no more and no fewer. */
export function hasExactly(claims: Record<string, unknown>, names: readonly string[]): boolean {
  const present = Object.keys(claims);
  return present.length === names.length && names.every((n) => present.includes(n));
}

/** RFC 7519 §2 NumericDate, as we issue it: whole positive seconds. */
export function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

/**
 * Keys of the key ring that verify one kind of token: the asymmetric keys (documents 001 and
 * 003) or one profile's HMAC subkeys of a kind (documents 000 and 002, keys/hmac.ts).
 */
export interface RingVerifyingKeys {
  verifying(
    kid: string,
  ): Promise<(Pick<VerifyingKey, 'kid' | 'alg'> & { key: CryptoKey | KeyObject }) | undefined>;
}

export type SignatureRefusal = HeaderRefusal | 'alg_mismatch' | 'bad_signature';
export type SignatureVerdict =
  { ok: true; payload: Uint8Array; kid: string } | { ok: false; reason: SignatureRefusal };

/**
 * Header and signature of a ring-signed JWS, before its claims: the header carries only what
 * we allow, `kid` names a key of the ring, `typ` is the kind's own (RFC 8725 §3.11, RFC 9068 §4),
 * and the algorithm is the key's, never the token's choice (RFC 8725 §2.1: refuses `none` in
 * any casing and HS256 "signed" with our public key as the secret).
 */
export async function verifyRingSignature(
  token: string,
  keys: RingVerifyingKeys,
  typ: string,
): Promise<SignatureVerdict> {
  if (!COMPACT_JWS.test(token)) return { ok: false, reason: 'malformed' };
  const checked = checkJwsHeader(token);
  if (!checked.ok) return checked;
  const { header } = checked;
  const key = await keys.verifying(header.kid);
  if (!key) return { ok: false, reason: 'unknown_kid' };
  if (header.alg !== key.alg) return { ok: false, reason: 'alg_mismatch' };
  if (header.typ !== typ) return { ok: false, reason: 'wrong_typ' };
  try {
    const { payload } = await compactVerify(token, key.key, { algorithms: [key.alg] });
    return { ok: true, payload, kid: key.kid };
  } catch {
    return { ok: false, reason: 'bad_signature' };
  }
}
