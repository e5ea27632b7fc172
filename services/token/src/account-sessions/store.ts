import type { Profile } from '@propusk/contracts';

/**
 * One session of an account, as the index names it: the profile, the id its revocation needs
 * (contracts' tokenId for drf, envelope and v2 tokens; the family id of an admin-telegram
 * refresh family; the refresh uuid of an authorization session) and when it ends by itself
 * (seconds since the epoch).
 */
export interface SessionRef {
  profile: Profile;
  id: string;
  exp: number;
}

/** What the account session index needs from storage (the domain defines it; Redis implements it). */
export interface AccountSessionStore {
  /**
   * Records `ref` for the account; a ref already recorded keeps the later of its two expiries
   * (a refresh family lives on after rotation). Sessions that ended by `nowS` are pruned.
   */
  add(accountId: string, ref: SessionRef, nowS: number): Promise<void>;
  /** The account's sessions that have not ended by `nowS`. */
  list(accountId: string, nowS: number): Promise<SessionRef[]>;
  /** Forgets sessions (revoked ones). */
  remove(accountId: string, refs: readonly SessionRef[]): Promise<void>;
}
