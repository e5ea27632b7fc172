import { NO_TOKEN_EVENTS, type TokenEvents } from '../events/port.js';
import { epochSeconds, systemClock, type Clock } from '../shared/clock.js';
import type { AccountSessionStore, SessionRef } from './store.js';

/**
 * The account session index: every capability that issues a token (or starts a refresh
 * family) records it here, under the account it was issued to, before the token is handed
 * out — so `revokeAccountSessions` finds every live session of an account, whatever profile.
 */
export interface SessionIndex {
  /** Records a session (again: a refresh family after rotation keeps the later expiry). */
  record(accountId: string, ref: SessionRef): Promise<void>;
  /** Records a new session and reports it (auth.session.created): every issue of every profile. */
  open(accountId: string, ref: SessionRef): Promise<void>;
}

export interface AccountSessionIndex extends SessionIndex {
  list(accountId: string): Promise<SessionRef[]>;
  forget(accountId: string, refs: readonly SessionRef[]): Promise<void>;
}

export function createAccountSessionIndex(deps: {
  store: AccountSessionStore;
  events?: Pick<TokenEvents, 'sessionCreated'>;
  now?: Clock;
}): AccountSessionIndex {
  const now = deps.now ?? systemClock;
  const events = deps.events ?? NO_TOKEN_EVENTS;
  const record = (accountId: string, ref: SessionRef) => deps.store.add(accountId, ref, epochSeconds(now));
  return {
    record,
    async open(accountId, ref) {
      await record(accountId, ref);
      events.sessionCreated({ accountId, profile: ref.profile, sessionId: ref.id, exp: ref.exp });
    },
    list: (accountId) => deps.store.list(accountId, epochSeconds(now)),
    forget: async (accountId, refs) => {
      if (refs.length > 0) await deps.store.remove(accountId, refs);
    },
  };
}
