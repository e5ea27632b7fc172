import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { PropuskError, tokenId, type AdminTelegramPair } from '@propusk/contracts';
import type { Logger } from '@propusk/kit';
import type { SessionIndex } from '../account-sessions/service.js';
import type { TokenEvents } from '../events/port.js';
import type { HmacSubkey } from '../keys/hmac.js';
import type { RevocationService } from '../revocation/service.js';
import { epochSeconds, systemClock, type Clock } from '../shared/clock.js';
import { JWT_TYP, verifyRingSignature } from '../shared/jws.js';
import {
  checkClaims,
  type AccessClaims,
  type AdminTokenKind,
  type ClaimsOf,
  type RefreshClaims,
} from './claims.js';
import type { AdminTelegramRefusal } from './errors.js';
import type { AdminTelegramKeys } from './keys.js';
import type {
  AccessSession,
  AdminSubject,
  AdminTelegramStore,
  Family,
  NewPair,
  RefreshRecord,
} from './store.js';

export type AdminVerdict<K extends AdminTokenKind> =
  { ok: true; kind: K; claims: ClaimsOf[K] } | { ok: false; reason: AdminTelegramRefusal };

/** A token that is live now, with the state that makes it so (for introspection). */
export type LiveToken =
  | { kind: 'access'; claims: AccessClaims; session: AccessSession }
  | { kind: 'refresh'; claims: RefreshClaims; record: RefreshRecord; family: Family };

export interface AdminTelegramService {
  /** A new pair starting a new family (document 000: "Auth"). */
  issue(subject: AdminSubject): Promise<AdminTelegramPair>;
  /**
   * Refresh rotation (document 000: "Update Access Token"): the presented refresh token dies,
   * a new pair of its family is answered. Throws `refresh_reused` when the token was used
   * already (the whole family is revoked), `invalid_token` for anything else wrong.
   */
  refresh(refreshToken: string): Promise<AdminTelegramPair>;
  /** Header, signature and claims of one kind; the session is the caller's next step. */
  verify<K extends AdminTokenKind>(token: string, kind: K): Promise<AdminVerdict<K>>;
  /** The token (either kind) when it is live: an access token with its session, a current refresh token. */
  live(token: string): Promise<LiveToken | undefined>;
  /** Revokes the whole family of a live token of the given kinds; true when this call did. */
  revokeFamily(token: string, kinds?: readonly AdminTokenKind[]): Promise<boolean>;
  /** Revokes a family by its id (revokeAccountSessions); true when this call did. */
  killFamily(familyId: string): Promise<boolean>;
  /** True when `id` (a tokenId) is the family's live access token. */
  familyHolds(familyId: string, id: string): Promise<boolean>;
}

export interface AdminTelegramDeps {
  keys: AdminTelegramKeys;
  store: AdminTelegramStore;
  revocation: RevocationService;
  sessions: SessionIndex;
  /** ADMIN_ACCESS_TTL_S (document 000: 15 minutes). */
  accessTtlS: number;
  /** ADMIN_REFRESH_TTL_S (document 000: 7 days). */
  refreshTtlS: number;
  /**
   * REFRESH_REUSE_GRACE_MS: a refresh token presented again this soon after its rotation, while
   * its successor is still current, is refused without revoking the family (default 0: none).
   */
  reuseGraceMs?: number;
  log: Logger;
  /** Reports refresh reuse (auth.refresh.reused, propusk_refresh_reuse_total). */
  events?: Pick<TokenEvents, 'refreshReused'>;
  now?: Clock;
  newUuid?: () => string;
}

const PROFILE = 'admin-telegram';
const KINDS: readonly AdminTokenKind[] = ['access', 'refresh'];

async function sign(claims: AccessClaims | RefreshClaims, key: HmacSubkey): Promise<string> {
  // Header alg, typ, kid (the document's example header plus the kid of the master key).
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.alg, typ: JWT_TYP, kid: key.kid })
    .sign(key.key);
}

export function createAdminTelegramService(deps: AdminTelegramDeps): AdminTelegramService {
  const now = deps.now ?? systemClock;
  const newUuid = deps.newUuid ?? randomUUID;

  /** Signs a pair for `subject` in `familyId` and the records the store keeps for it. */
  async function mint(
    subject: AdminSubject,
    familyId: string,
  ): Promise<{ pair: AdminTelegramPair; next: NewPair }> {
    const nowS = epochSeconds(now);
    const accessUuid = newUuid();
    const refreshUuid = newUuid();
    const access: AccessClaims = {
      access_uuid: accessUuid,
      authorized: true,
      chat_id: subject.chatId,
      exp: nowS + deps.accessTtlS,
      username: subject.username,
    };
    const refresh: RefreshClaims = {
      chat_id: subject.chatId,
      exp: nowS + deps.refreshTtlS,
      refresh_uuid: refreshUuid,
      username: subject.username,
    };
    const pair = {
      access_token: await sign(access, deps.keys.access.signing()),
      refresh_token: await sign(refresh, deps.keys.refresh.signing()),
    };
    const session: AccessSession = {
      accountId: subject.accountId,
      username: subject.username,
      roles: [...new Set(subject.roles)],
      chatId: subject.chatId,
      familyId,
      tokenId: tokenId(pair.access_token),
      exp: access.exp,
    };
    return {
      pair,
      next: { accessUuid, refreshUuid, session, accessTtlS: deps.accessTtlS, refreshExp: refresh.exp },
    };
  }

  /** The revocation record and `auth.session.revoked` event of an access token a store change killed. */
  async function announce(access: { tokenId: string; exp: number }): Promise<void> {
    await deps.revocation.revoke({ jti: access.tokenId, profile: PROFILE, exp: access.exp });
  }

  /**
   * The family in the account session index, until its current refresh token expires; a new
   * family is opened (auth.session.created), a rotated one only re-timed.
   */
  function record(accountId: string, next: NewPair, opened = false): Promise<void> {
    return deps.sessions[opened ? 'open' : 'record'](accountId, {
      profile: PROFILE,
      id: next.session.familyId,
      exp: next.refreshExp,
    });
  }

  async function killFamily(familyId: string): Promise<boolean> {
    const killed = await deps.store.kill(familyId);
    if (!killed) return false;
    await announce(killed);
    return true;
  }

  async function verify<K extends AdminTokenKind>(token: string, kind: K): Promise<AdminVerdict<K>> {
    // Only this profile's HS256 subkeys of the kind: an RS256 kid (or any other) is unknown here.
    const signed = await verifyRingSignature(token, deps.keys[kind], JWT_TYP);
    if (!signed.ok) return signed;
    const { payload } = signed;
    const verdict = checkClaims(kind, payload, epochSeconds(now));
    return verdict.ok ? { ok: true, kind, claims: verdict.claims } : verdict;
  }

  /** The kind whose subkey the signature verifies under (at most one can). */
  async function verifyAny(token: string, kinds: readonly AdminTokenKind[]) {
    for (const kind of kinds) {
      const verdict = await verify(token, kind);
      if (verdict.ok) return verdict;
    }
    return undefined;
  }

  async function live(
    token: string,
    kinds: readonly AdminTokenKind[] = KINDS,
  ): Promise<LiveToken | undefined> {
    const verdict = await verifyAny(token, kinds);
    if (!verdict) return undefined;
    if (verdict.kind === 'access') {
      const claims = verdict.claims as AccessClaims;
      const session = await deps.store.session(claims.access_uuid);
      // The session names exactly this token: a uuid is never honoured for another token.
      if (!session || session.tokenId !== tokenId(token)) return undefined;
      return { kind: 'access', claims, session };
    }
    const claims = verdict.claims as RefreshClaims;
    const record = await deps.store.refreshRecord(claims.refresh_uuid);
    if (record?.status !== 'current') return undefined;
    const family = await deps.store.family(record.familyId);
    if (family?.refreshUuid !== claims.refresh_uuid) return undefined;
    return { kind: 'refresh', claims, record, family };
  }

  return {
    async issue(subject) {
      const { pair, next } = await mint(subject, newUuid());
      // Indexed before it is handed out: revokeAccountSessions must find every family.
      await record(subject.accountId, next, true);
      await deps.store.start(next);
      return pair;
    },
    async refresh(refreshToken) {
      const verdict = await verify(refreshToken, 'refresh');
      if (!verdict.ok) {
        deps.log.debug({ reason: verdict.reason }, 'admin-telegram refresh token refused');
        throw new PropuskError('invalid_token');
      }
      let pair: AdminTelegramPair | undefined;
      const result = await deps.store.rotate(
        verdict.claims.refresh_uuid,
        async (family) => {
          const minted = await mint(family, family.familyId);
          // The family lives on until its new refresh token expires: the index must know.
          await record(family.accountId, minted.next);
          pair = minted.pair;
          return minted.next;
        },
        { nowMs: now(), graceMs: deps.reuseGraceMs ?? 0 },
      );
      switch (result.outcome) {
        case 'rotated':
          // One live access token per family: the old one is gone from Redis; tell the caches.
          await announce(result.replaced);
          return pair!;
        case 'raced':
          // Two refreshes of one client crossed (a retry, two tabs): the other got the new
          // pair and the family lives on; this one is refused as any invalid refresh is.
          deps.log.info('admin-telegram refresh token presented again within the reuse grace: refused');
          throw new PropuskError('invalid_token');
        case 'reused':
          // RFC 9700 §4.14.2: a refresh token used twice means one copy is in the wrong hands.
          deps.log.warn('admin-telegram refresh token reused: family revoked');
          deps.events?.refreshReused({ profile: PROFILE, tokenId: tokenId(refreshToken) });
          await announce(result.revoked);
          throw new PropuskError('refresh_reused');
        default:
          throw new PropuskError('invalid_token');
      }
    },
    verify,
    live: (token) => live(token),
    async revokeFamily(token, kinds = KINDS) {
      const found = await live(token, kinds);
      if (!found) return false;
      return killFamily(found.kind === 'access' ? found.session.familyId : found.family.familyId);
    },
    killFamily,
    async familyHolds(familyId, id) {
      return (await deps.store.family(familyId))?.accessTokenId === id;
    },
  };
}
