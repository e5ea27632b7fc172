import type { Role } from '../shared/subject.js';

/** Who a pair is issued to (contracts: tokenOps.issueAdminTelegram). */
export interface AdminSubject {
  accountId: string;
  username: string;
  roles: Role[];
  /** The Telegram chat the bot recorded for the user (document 000: `chat_id`). */
  chatId: number;
}

/** One live access token, under its `access_uuid`; lives exactly as long as the token. */
export interface AccessSession extends AdminSubject {
  familyId: string;
  /** contracts' tokenId of the access token: names it in revocation records and events. */
  tokenId: string;
  /** Seconds since the epoch (the token's `exp`). */
  exp: number;
}

export type RefreshStatus = 'current' | 'used';

/** One refresh token, under its `refresh_uuid`; kept until its `exp`, also once used. */
export interface RefreshRecord {
  familyId: string;
  status: RefreshStatus;
  /** The access token issued together with this refresh token. */
  accessUuid: string;
  exp: number;
  /** Once used: when it was rotated (epoch ms) and the refresh token that replaced it. */
  usedAt?: number;
  next?: string;
}

/**
 * A refresh family: every pair descending from one login by rotation. It names its one live
 * pair (one live access token per family) and whom it belongs to; it lives until its current
 * refresh token expires. Deleting it revokes every token of the family.
 */
export interface Family extends AdminSubject {
  familyId: string;
  refreshUuid: string;
  accessUuid: string;
  accessTokenId: string;
  accessExp: number;
  refreshExp: number;
}

/** A pair to store: the new access session and refresh record of `session.familyId`. */
export interface NewPair {
  accessUuid: string;
  refreshUuid: string;
  session: AccessSession;
  /** Seconds the access session lives (the access token's lifetime). */
  accessTtlS: number;
  /** Seconds since the epoch when the refresh token expires. */
  refreshExp: number;
}

/** An access token that a store change revoked: what its revocation record needs. */
export interface RevokedAccess {
  tokenId: string;
  exp: number;
}

export type RotateOutcome =
  /** The refresh token was current: the new pair is stored, `replaced` is the old access token. */
  | { outcome: 'rotated'; replaced: RevokedAccess }
  /** The refresh token was used already: the whole family is gone; `revoked` was its live access token. */
  | { outcome: 'reused'; revoked: RevokedAccess }
  /**
   * The refresh token was rotated less than the grace period ago and its successor is still the
   * family's current one: a concurrent refresh by the same client. Refused; nothing changed.
   */
  | { outcome: 'raced' }
  /** Unknown refresh token, or its family is gone (revoked, logged out, expired). */
  | { outcome: 'invalid' };

/** The reuse grace of one rotation: `nowMs` the domain clock, `graceMs` REFRESH_REUSE_GRACE_MS. */
export interface ReuseGrace {
  nowMs: number;
  graceMs: number;
}

/** What the admin-telegram capability needs from storage (the domain defines it; Redis implements it). */
export interface AdminTelegramStore {
  /** Starts a family with its first pair: access session, refresh record and family, atomically. */
  start(pair: NewPair): Promise<void>;
  session(accessUuid: string): Promise<AccessSession | undefined>;
  refreshRecord(refreshUuid: string): Promise<RefreshRecord | undefined>;
  family(familyId: string): Promise<Family | undefined>;
  /**
   * Refresh rotation, atomic against every other change of the family. When `refreshUuid` is
   * the family's current refresh token: it becomes used, the old access session is deleted
   * and `next(family)` is stored as the family's pair (the old record keeps when it was used and
   * its successor). When it is used already: `raced` if it was rotated less than
   * `grace.graceMs` before `grace.nowMs` into the family's current refresh token, else reuse —
   * the family, its access session and its current refresh record are deleted. Of two
   * concurrent calls with one token exactly one rotates; the other sees "used" (`raced`).
   */
  rotate(
    refreshUuid: string,
    next: (family: Family) => Promise<NewPair>,
    grace: ReuseGrace,
  ): Promise<RotateOutcome>;
  /** Deletes the family with its access session and current refresh record; undefined when already gone. */
  kill(familyId: string): Promise<RevokedAccess | undefined>;
}
