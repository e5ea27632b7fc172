import { epochSeconds, systemClock, type Clock } from '../shared/clock.js';
import type { AccountSessionStore, SessionRef } from './store.js';

/**
 * The account session index: every capability that issues a token (or starts a refresh
 * family) records it here, under the account it was issued to, before the token is handed
 * out — so `revokeAccountSessions` finds every live session of an account, whatever profile.
 */
export interface SessionIndex {
  record(accountId: string, ref: SessionRef): Promise<void>;
}

export interface AccountSessionIndex extends SessionIndex {
  list(accountId: string): Promise<SessionRef[]>;
  forget(accountId: string, refs: readonly SessionRef[]): Promise<void>;
}

export function createAccountSessionIndex(deps: {
  store: AccountSessionStore;
  now?: Clock;
}): AccountSessionIndex {
  const now = deps.now ?? systemClock;
  return {
    record: (accountId, ref) => deps.store.add(accountId, ref, epochSeconds(now)),
    list: (accountId) => deps.store.list(accountId, epochSeconds(now)),
    forget: async (accountId, refs) => {
      if (refs.length > 0) await deps.store.remove(accountId, refs);
    },
  };
}
