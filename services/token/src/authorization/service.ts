import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { PropuskError, tokenId } from '@propusk/contracts';
import type { Logger } from '@propusk/kit';
import type { SessionIndex } from '../account-sessions/service.js';
import type { HmacSubkey } from '../keys/hmac.js';
import type { RevocationService } from '../revocation/service.js';
import { epochSeconds, systemClock, type Clock } from '../shared/clock.js';
import { JWT_TYP, verifyRingSignature } from '../shared/jws.js';
import { checkClaims, MODE, type AuthorizationClaims, type AuthorizationKind } from './claims.js';
import type { AuthorizationRefusal } from './errors.js';
import type { AuthorizationKeys } from './keys.js';
import type { AuthorizationSession, AuthorizationStore, AuthorizationSubject, EndedToken } from './store.js';

export type AuthorizationVerdict =
  | { ok: true; kind: AuthorizationKind; claims: AuthorizationClaims }
  | { ok: false; reason: AuthorizationRefusal };

/** A token that is live now, with the session it belongs to. */
export interface LiveAuthorizationToken {
  kind: AuthorizationKind;
  claims: AuthorizationClaims;
  session: AuthorizationSession;
}

export interface AuthorizationPair {
  access: string;
  refresh: string;
}

export interface AuthorizationService {
  /** A new pair starting a new session (document 002: registration and every login). */
  issue(subject: AuthorizationSubject): Promise<AuthorizationPair>;
  /**
   * Document 002 "/validate/jwt/refresh": a new access token of the refresh token's session and
   * the account's `user_name` (answered as `email`). The refresh token stays as it is (the
   * document answers no new one). Anything not a live refresh token → `invalid_token`.
   */
  refresh(refreshToken: string): Promise<{ access: string; email: string }>;
  /** Header, signature and claims of one kind; no state is read. */
  verify(token: string, kind: AuthorizationKind): Promise<AuthorizationVerdict>;
  /** The token when it is live: verified, its session exists and names it, not revoked. */
  live(token: string, kinds?: readonly AuthorizationKind[]): Promise<LiveAuthorizationToken | undefined>;
  /**
   * RFC 7009: an access token is revoked alone; a refresh token ends its session with every
   * access token made from it (§2.1 lets related tokens go too). True when this call did.
   */
  revoke(token: string): Promise<boolean>;
  /** Ends a session: records and events for its refresh and access tokens. True when this call did. */
  endSession(sessionId: string): Promise<boolean>;
  /** True when `id` (a tokenId) is the session's refresh token or one of its access tokens. */
  sessionHolds(sessionId: string, id: string): Promise<boolean>;
}

export interface AuthorizationDeps {
  keys: AuthorizationKeys;
  store: AuthorizationStore;
  revocation: RevocationService;
  sessions: SessionIndex;
  /** AUTHZ_ACCESS_TTL_S (default 1 hour). */
  accessTtlS: number;
  /** AUTHZ_REFRESH_TTL_S (default 4 hours: document 002's refresh outlives its access by 3 h). */
  refreshTtlS: number;
  log: Logger;
  now?: Clock;
  newUuid?: () => string;
}

const PROFILE = 'authorization';
const KINDS: readonly AuthorizationKind[] = ['access', 'refresh'];

function claimsOf(kind: AuthorizationKind, userName: string, uuid: string, exp: number): AuthorizationClaims {
  // Member order as in document 002's example tokens.
  return { user_name: userName, header: { alg: 'HS256', typ: 'JWT', uuid }, exp, mode: MODE[kind] };
}

async function sign(claims: AuthorizationClaims, key: HmacSubkey): Promise<string> {
  // The document's header `alg, typ`, plus the kid of the master key.
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.alg, typ: JWT_TYP, kid: key.kid })
    .sign(key.key);
}

export function createAuthorizationService(deps: AuthorizationDeps): AuthorizationService {
  const now = deps.now ?? systemClock;
  const newUuid = deps.newUuid ?? randomUUID;

  /** An access token of a session; it never outlives the session (its refresh token). */
  async function mintAccess(userName: string, sessionExp: number) {
    const uuid = newUuid();
    const exp = Math.min(epochSeconds(now) + deps.accessTtlS, sessionExp);
    const token = await sign(claimsOf('access', userName, uuid, exp), deps.keys.access.signing());
    return { token, grant: { uuid, tokenId: tokenId(token), exp } };
  }

  async function verify(token: string, kind: AuthorizationKind): Promise<AuthorizationVerdict> {
    // Only this profile's HS256 subkeys of the kind: an RS256 kid (or any other) is unknown here.
    const signed = await verifyRingSignature(token, deps.keys[kind], JWT_TYP);
    if (!signed.ok) return signed;
    const { payload } = signed;
    const verdict = checkClaims(kind, payload, epochSeconds(now));
    return verdict.ok ? { ok: true, kind, claims: verdict.claims } : verdict;
  }

  async function liveAs(token: string, kind: AuthorizationKind): Promise<LiveAuthorizationToken | undefined> {
    const verdict = await verify(token, kind);
    if (!verdict.ok) {
      deps.log.debug({ reason: verdict.reason, kind }, 'authorization token refused');
      return undefined;
    }
    const { claims } = verdict;
    const id = tokenId(token);
    let session: AuthorizationSession | undefined;
    if (kind === 'refresh') {
      session = await deps.store.session(claims.header.uuid);
      // The session names exactly this token: a uuid is never honoured for another token.
      if (session?.tokenId !== id) return undefined;
    } else {
      const record = await deps.store.access(claims.header.uuid);
      if (record?.tokenId !== id) return undefined;
      session = await deps.store.session(record.sessionId);
      if (!session) return undefined;
    }
    if (await deps.revocation.isRevoked(id)) return undefined;
    return { kind, claims, session };
  }

  async function live(token: string, kinds: readonly AuthorizationKind[] = KINDS) {
    for (const kind of kinds) {
      // At most one kind verifies: each is signed with its own subkey.
      const found = await liveAs(token, kind);
      if (found) return found;
    }
    return undefined;
  }

  async function announce(tokens: readonly EndedToken[]): Promise<void> {
    for (const t of tokens) await deps.revocation.revoke({ jti: t.tokenId, profile: PROFILE, exp: t.exp });
  }

  async function endSession(sessionId: string): Promise<boolean> {
    const ended = await deps.store.end(sessionId);
    if (!ended) return false;
    await announce([ended.refresh, ...ended.access]);
    return true;
  }

  return {
    async issue(subject) {
      const sessionId = newUuid();
      const exp = epochSeconds(now) + deps.refreshTtlS;
      const refresh = await sign(
        claimsOf('refresh', subject.userName, sessionId, exp),
        deps.keys.refresh.signing(),
      );
      const access = await mintAccess(subject.userName, exp);
      // Indexed before it is handed out: revokeAccountSessions must find every session.
      await deps.sessions.open(subject.accountId, { profile: PROFILE, id: sessionId, exp });
      await deps.store.start(
        {
          sessionId,
          accountId: subject.accountId,
          userName: subject.userName,
          roles: [...new Set(subject.roles)],
          tokenId: tokenId(refresh),
          exp,
        },
        access.grant,
      );
      return { access: access.token, refresh };
    },
    async refresh(refreshToken) {
      const found = await live(refreshToken, ['refresh']);
      if (!found) throw new PropuskError('invalid_token');
      const { session } = found;
      const access = await mintAccess(session.userName, session.exp);
      // Ended meanwhile (revoked, signed out everywhere): the new token is never handed out.
      if (!(await deps.store.addAccess(session.sessionId, access.grant)))
        throw new PropuskError('invalid_token');
      return { access: access.token, email: session.userName };
    },
    verify,
    live,
    async revoke(token) {
      const found = await live(token);
      if (!found) return false;
      if (found.kind === 'refresh') return endSession(found.session.sessionId);
      return deps.revocation.revoke({ jti: tokenId(token), profile: PROFILE, exp: found.claims.exp });
    },
    endSession,
    async sessionHolds(sessionId, id) {
      const session = await deps.store.session(sessionId);
      if (!session) return false;
      return session.tokenId === id || deps.store.hasAccess(sessionId, id);
    },
  };
}
