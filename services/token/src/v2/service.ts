import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { tokenId } from '@propusk/contracts';
import type { SessionIndex } from '../account-sessions/service.js';
import type { TokenOwnerStore } from '../owners/store.js';
import type { RevocationService } from '../revocation/service.js';
import { CLOCK_SKEW_S, epochSeconds, systemClock, type Clock } from '../shared/clock.js';
import { verifyRingSignature } from '../shared/jws.js';
import { ownerOf, type TokenSubject } from '../shared/subject.js';
import { V2_AUDIENCE, V2_TYP } from '@propusk/contracts';
import { checkClaims, type V2Claims } from './claims.js';
import type { V2Refusal } from './errors.js';
import type { V2Keys } from './keys.js';

export type V2Verdict = { ok: true; claims: V2Claims; kid: string } | { ok: false; reason: V2Refusal };

export interface V2Service {
  /** An RS256 JWT access token for document 003, signed with the active key (header `alg, typ at+jwt, kid`). */
  issue(subject: TokenSubject): Promise<{ token: string; claims: V2Claims }>;
  /** Header, signature and claims; revocation is not looked at. */
  verify(token: string): Promise<V2Verdict>;
  /** The claims of a token that verifies and is not revoked. */
  live(token: string): Promise<V2Claims | undefined>;
  /** Revokes a token that verifies (signout, RFC 7009); true when this call revoked it. */
  revoke(token: string): Promise<boolean>;
}

export interface V2Deps {
  keys: V2Keys;
  /** V2_ISSUER, else PUBLIC_BASE_URL. */
  issuer: string;
  /** V2_TOKEN_TTL_S. */
  ttlS: number;
  sessions: SessionIndex;
  /** The token names no username: introspection reads it here (owners/store.ts). */
  owners: TokenOwnerStore;
  revocation: RevocationService;
  now?: Clock;
  newUuid?: () => string;
}

const PROFILE = 'v2';

export function createV2Service(deps: V2Deps): V2Service {
  const now = deps.now ?? systemClock;
  const newUuid = deps.newUuid ?? randomUUID;

  async function verify(token: string): Promise<V2Verdict> {
    // RFC 9068 §4: the type is checked; a document 001 token says JWT. Asymmetric keys only:
    // an HS256 kid is unknown here.
    const signed = await verifyRingSignature(token, deps.keys, V2_TYP);
    if (!signed.ok) return signed;
    const verdict = checkClaims(signed.payload, deps.issuer, epochSeconds(now));
    return verdict.ok ? { ok: true, claims: verdict.claims, kid: signed.kid } : verdict;
  }

  return {
    async issue(subject) {
      const key = deps.keys.signing();
      const iat = epochSeconds(now);
      const claims: V2Claims = {
        iss: deps.issuer,
        sub: subject.accountId,
        aud: V2_AUDIENCE,
        jti: newUuid(),
        iat,
        exp: iat + deps.ttlS,
      };
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: key.alg, typ: V2_TYP, kid: key.kid })
        .sign(key.key);
      const id = tokenId(token);
      // Recorded before it is handed out: introspection answers the owner of every live token
      // (it verifies until exp plus the leeway), and revokeAccountSessions must find it.
      await deps.owners.put(id, ownerOf(subject), deps.ttlS + CLOCK_SKEW_S);
      await deps.sessions.open(subject.accountId, { profile: PROFILE, id, exp: claims.exp });
      return { token, claims };
    },
    verify,
    async live(token) {
      const verdict = await verify(token);
      if (!verdict.ok) return undefined;
      return (await deps.revocation.isRevoked(tokenId(token))) ? undefined : verdict.claims;
    },
    async revoke(token) {
      const verdict = await verify(token);
      if (!verdict.ok) return false;
      return deps.revocation.revoke({ jti: tokenId(token), profile: PROFILE, exp: verdict.claims.exp });
    },
  };
}
