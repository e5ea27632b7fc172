import { randomUUID } from 'node:crypto';
import { compactVerify, SignJWT } from 'jose';
import { tokenId } from '@propusk/contracts';
import type { SessionIndex } from '../account-sessions/service.js';
import type { RevocationService } from '../revocation/service.js';
import { epochSeconds, systemClock, type Clock } from '../shared/clock.js';
import { checkJwsHeader, COMPACT_JWS } from '../shared/jws.js';
import type { TokenSubject } from '../shared/subject.js';
import { checkClaims, V2_AUDIENCE, V2_TYP, type V2Claims } from './claims.js';
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
  revocation: RevocationService;
  now?: Clock;
  newUuid?: () => string;
}

const PROFILE = 'v2';

export function createV2Service(deps: V2Deps): V2Service {
  const now = deps.now ?? systemClock;
  const newUuid = deps.newUuid ?? randomUUID;

  async function verify(token: string): Promise<V2Verdict> {
    if (!COMPACT_JWS.test(token)) return { ok: false, reason: 'malformed' };
    const checked = checkJwsHeader(token);
    if (!checked.ok) return checked;
    const { header } = checked;
    // Asymmetric keys only: an HS256 kid is unknown here.
    const key = await deps.keys.verifying(header.kid);
    if (!key) return { ok: false, reason: 'unknown_kid' };
    // RFC 8725 §2.1: the key's algorithm, never the token's (refuses none and HS256-with-our-public-key).
    if (header.alg !== key.alg) return { ok: false, reason: 'alg_mismatch' };
    // RFC 9068 §4: the resource server MUST check the type; a document 001 token says JWT.
    if (header.typ !== V2_TYP) return { ok: false, reason: 'wrong_typ' };
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, key.key, { algorithms: [key.alg] }));
    } catch {
      return { ok: false, reason: 'bad_signature' };
    }
    const verdict = checkClaims(payload, deps.issuer, epochSeconds(now));
    return verdict.ok ? { ok: true, claims: verdict.claims, kid: key.kid } : verdict;
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
      // Indexed before it is handed out: revokeAccountSessions must find every token.
      await deps.sessions.record(subject.accountId, {
        profile: PROFILE,
        id: tokenId(token),
        exp: claims.exp,
      });
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
