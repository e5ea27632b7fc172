import { SignJWT } from 'jose';
import { tokenId } from '@propusk/contracts';
import type { SessionIndex } from '../account-sessions/service.js';
import type { TokenOwnerStore } from '../owners/store.js';
import { CLOCK_SKEW_S, epochSeconds, systemClock, type Clock } from '../shared/clock.js';
import { JWT_TYP, verifyRingSignature } from '../shared/jws.js';
import { ownerOf, type Role, type TokenSubject } from '../shared/subject.js';
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
  /** The token names no account id: introspection reads it here (owners/store.ts). */
  owners: TokenOwnerStore;
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
      const id = tokenId(token);
      // Recorded before it is handed out: introspection answers the owner of every live token
      // (it verifies until exp plus the leeway), and revokeAccountSessions must find it.
      await deps.owners.put(id, ownerOf(subject), ENVELOPE_TTL_S + CLOCK_SKEW_S);
      await deps.sessions.open(subject.accountId, { profile: 'envelope', id, exp: claims.exp });
      return { token, claims };
    },
    async verify(token) {
      const signed = await verifyRingSignature(token, deps.keys, JWT_TYP);
      if (!signed.ok) return signed;
      const verdict = checkClaims(signed.payload, deps.issuer, epochSeconds(now));
      return verdict.ok ? { ok: true, claims: verdict.claims, kid: signed.kid } : verdict;
    },
  };
}
