import { CLOCK_SKEW_S } from '../shared/clock.js';
import { hasExactly, isNumericDate, parseClaims } from '../shared/jws.js';
import type { EnvelopeRefusal } from './errors.js';

/** Document 001's claims, exactly: `iss, username, admin, iat, exp` (DESIGN: profile envelope). */
export interface EnvelopeClaims {
  iss: string;
  username: string;
  admin: boolean;
  iat: number;
  exp: number;
}

/** Access tokens of document 001 live 2 hours (DESIGN). */
export const ENVELOPE_TTL_S = 2 * 60 * 60;

const CLAIM_NAMES = ['iss', 'username', 'admin', 'iat', 'exp'];

export type ClaimsVerdict = { ok: true; claims: EnvelopeClaims } | { ok: false; reason: EnvelopeRefusal };

/**
 * Checks the claim set of a token whose signature is already verified. Any claim beyond the
 * five is refused too, so a token of another kind signed with the same keys (v2) is never
 * taken for an envelope one (RFC 8725 §3.11, §3.12: explicit typing, distinct validation).
 */
export function checkClaims(payload: Uint8Array, issuer: string, nowS: number): ClaimsVerdict {
  const c = parseClaims(payload);
  if (!c) return { ok: false, reason: 'malformed' };
  if (!hasExactly(c, CLAIM_NAMES)) return { ok: false, reason: 'bad_claims' };
  const { iss, username, admin, iat, exp } = c;
  if (typeof iss !== 'string' || typeof username !== 'string' || username === '') {
    return { ok: false, reason: 'bad_claims' };
  }
  if (typeof admin !== 'boolean' || !isNumericDate(iat) || !isNumericDate(exp) || exp <= iat) {
    return { ok: false, reason: 'bad_claims' };
  }
  if (iss !== issuer) return { ok: false, reason: 'wrong_issuer' };
  // RFC 7519 §4.1.4: the token must not be accepted on or after exp (small leeway allowed).
  if (nowS >= exp + CLOCK_SKEW_S) return { ok: false, reason: 'expired' };
  // A token issued in the future was not issued by us with a sane clock.
  if (iat > nowS + CLOCK_SKEW_S) return { ok: false, reason: 'issued_in_future' };
  return { ok: true, claims: { iss, username, admin, iat, exp } };
}
