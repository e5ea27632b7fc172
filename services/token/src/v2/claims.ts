import { V2_AUDIENCE } from '@propusk/contracts';
import { CLOCK_SKEW_S } from '../shared/clock.js';
import { hasExactly, isNumericDate, parseClaims } from '../shared/jws.js';
import type { V2Refusal } from './errors.js';

/**
 * v2 (document 003) access tokens: RFC 9068 JWT access tokens, typed `at+jwt` in the header,
 * claims exactly `iss, sub, aud, jti, iat, exp` (`sub` the account id, `jti` a uuid).
 */
export interface V2Claims {
  iss: string;
  sub: string;
  aud: string;
  jti: string;
  iat: number;
  exp: number;
}

const CLAIM_NAMES = ['iss', 'sub', 'aud', 'jti', 'iat', 'exp'];
/** Account ids and our jtis are RFC 9562 UUIDs, written in lowercase. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type ClaimsVerdict = { ok: true; claims: V2Claims } | { ok: false; reason: V2Refusal };

function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}

/**
 * Checks the claim set of a token whose signature is already verified: exactly the six names
 * (so a document 001 token, signed with the same keys, never passes: RFC 8725 §3.12), `aud`
 * a single string equal to ours (RFC 9068 §4), the issuer, then time with the usual leeway.
 */
export function checkClaims(payload: Uint8Array, issuer: string, nowS: number): ClaimsVerdict {
  const c = parseClaims(payload);
  if (!c) return { ok: false, reason: 'malformed' };
  if (!hasExactly(c, CLAIM_NAMES)) return { ok: false, reason: 'bad_claims' };
  const { iss, sub, aud, jti, iat, exp } = c;
  if (typeof iss !== 'string' || !isUuid(sub) || typeof aud !== 'string' || !isUuid(jti)) {
    return { ok: false, reason: 'bad_claims' };
  }
  if (!isNumericDate(iat) || !isNumericDate(exp) || exp <= iat) return { ok: false, reason: 'bad_claims' };
  if (iss !== issuer) return { ok: false, reason: 'wrong_issuer' };
  if (aud !== V2_AUDIENCE) return { ok: false, reason: 'wrong_audience' };
  // RFC 7519 §4.1.4: not accepted on or after exp (small leeway for clock differences).
  if (nowS >= exp + CLOCK_SKEW_S) return { ok: false, reason: 'expired' };
  if (iat > nowS + CLOCK_SKEW_S) return { ok: false, reason: 'issued_in_future' };
  return { ok: true, claims: { iss, sub, aud, jti, iat, exp } };
}
