import { compactVerify, SignJWT } from 'jose';
import { tokenId } from '@propusk/contracts';
import type { SessionIndex } from '../account-sessions/service.js';
import { epochSeconds, systemClock, type Clock } from '../shared/clock.js';
import { checkJwsHeader, COMPACT_JWS, JWT_TYP } from '../shared/jws.js';
import type { Role, TokenSubject } from '../shared/subject.js';
import { checkClaims, ENVELOPE_TTL_S, type EnvelopeClaims } from './claims.js';
import type { EnvelopeRefusal } from './errors.js';
import type { EnvelopeKeys } from './keys.js';

export type EnvelopeVerdict =
  { ok: true; claims: EnvelopeClaims; kid: string } | { ok: false; reason: EnvelopeRefusal };

export interface EnvelopeService {
  /** An RS256 JWT for document 001, signed with the active key (header `alg, typ, kid`). */
  issue(subject: TokenSubject): Promise<{ token: string; claims: EnvelopeClaims }>;
  /** Signature, header and claims; revocation is the caller's next step. */
  verify(token: string): Promise<EnvelopeVerdict>;
}

export interface EnvelopeDeps {
  keys: EnvelopeKeys;
  issuer: string;
  sessions: SessionIndex;
  now?: Clock;
}

/** DESIGN: envelope `admin` is true for admin or superuser. */
export function isEnvelopeAdmin(roles: readonly Role[]): boolean {
  return roles.includes('admin') || roles.includes('superuser');
}

export function createEnvelopeService(deps: EnvelopeDeps): EnvelopeService {
  const now = deps.now ?? systemClock;
  return {
    async issue(subject) {
      const key = deps.keys.signing();
      const iat = epochSeconds(now);
      // Claim order as in document 001's example token.
      const claims: EnvelopeClaims = {
        iss: deps.issuer,
        username: subject.username,
        admin: isEnvelopeAdmin(subject.roles),
        iat,
        exp: iat + ENVELOPE_TTL_S,
      };
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: key.alg, typ: JWT_TYP, kid: key.kid })
        .sign(key.key);
      // Indexed before it is handed out: revokeAccountSessions must find every token.
      await deps.sessions.record(subject.accountId, {
        profile: 'envelope',
        id: tokenId(token),
        exp: claims.exp,
      });
      return { token, claims };
    },
    async verify(token) {
      if (!COMPACT_JWS.test(token)) return { ok: false, reason: 'malformed' };
      const checked = checkJwsHeader(token);
      if (!checked.ok) return checked;
      const { header } = checked;
      const key = await deps.keys.verifying(header.kid);
      if (!key) return { ok: false, reason: 'unknown_kid' };
      // RFC 8725 §3.1 / §2.1: the algorithm is the key's own, never the token's choice. This
      // refuses `none` in any casing and HS256 "signed" with our public key as the secret.
      if (header.alg !== key.alg) return { ok: false, reason: 'alg_mismatch' };
      if (header.typ !== JWT_TYP) return { ok: false, reason: 'wrong_typ' };
      let payload: Uint8Array;
      try {
        ({ payload } = await compactVerify(token, key.key, { algorithms: [key.alg] }));
      } catch {
        return { ok: false, reason: 'bad_signature' };
      }
      const verdict = checkClaims(payload, deps.issuer, epochSeconds(now));
      return verdict.ok ? { ok: true, claims: verdict.claims, kid: key.kid } : verdict;
    },
  };
}
