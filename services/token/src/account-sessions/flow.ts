import type { Profile } from '@propusk/contracts';
import type { AccountSessionIndex } from './service.js';
import type { SessionRef } from './store.js';

/** How one profile ends one of its sessions (revokers.ts builds them from the capabilities). */
export interface SessionRevoker {
  /** True when `tokenId` names this session or one of its live tokens: the session to keep. */
  holds(ref: SessionRef, tokenId: string): Promise<boolean>;
  /**
   * Ends the session: its state is deleted, every token of it gets a revocation record and an
   * `auth.session.revoked` event. True when this call ended it (false: it was gone already).
   */
  revoke(ref: SessionRef): Promise<boolean>;
}

export type SessionRevokers = Readonly<Record<Profile, SessionRevoker>>;

export interface RevokeAccountSessionsFlow {
  /**
   * contracts' tokenOps.revokeAccountSessions: ends every live session of the account, of every
   * profile, except the one `keepTokenId` names (the caller's own, after a password change).
   * Answers how many sessions this call ended. Redis down → `unavailable`, after which a retry
   * finishes the job (sessions already ended are simply gone).
   */
  revokeAll(accountId: string, keepTokenId?: string): Promise<number>;
}

export function createRevokeAccountSessionsFlow(deps: {
  index: AccountSessionIndex;
  revokers: SessionRevokers;
}): RevokeAccountSessionsFlow {
  return {
    async revokeAll(accountId, keepTokenId) {
      const refs = await deps.index.list(accountId);
      const done: SessionRef[] = [];
      let revoked = 0;
      try {
        // One at a time: an account has a handful of sessions, and Redis serves every replica.
        for (const ref of refs) {
          const revoker = deps.revokers[ref.profile];
          if (keepTokenId !== undefined && (await revoker.holds(ref, keepTokenId))) continue;
          if (await revoker.revoke(ref)) revoked++;
          done.push(ref);
        }
      } finally {
        await deps.index.forget(accountId, done);
      }
      return revoked;
    },
  };
}
