import { failClosed } from '@propusk/kit';
import type { CodePurpose } from '@propusk/contracts';
import { v2StoreUnavailable } from './errors.js';
import type { PendingPurposeStore, RecoveryGrantStore } from './store.js';

/**
 * Document 003's codes live 10 minutes (contracts: verification.ts), so a login's pending purpose
 * is kept as long as the last code sent for it.
 */
export const PURPOSE_TTL_S = 10 * 60;
/** A recovery sign-in may set a new password for 15 minutes. */
export const GRANT_TTL_S = 15 * 60;

export interface PendingPurposes {
  /** Records that the login's last code was sent for `purpose` (replacing an older one). */
  remember(login: string, purpose: CodePurpose): Promise<void>;
  /** The purpose of the login's last code, while it can still be entered. */
  of(login: string): Promise<CodePurpose | undefined>;
  /** The code was used: forgets the purpose unless a newer request replaced it. */
  settle(login: string, purpose: CodePurpose): Promise<void>;
}

export interface RecoveryGrants {
  grant(tokenId: string, accountId: string): Promise<void>;
  /** True when the token was signed in by a recovery code of this account, less than 15 minutes ago. */
  holds(tokenId: string, accountId: string): Promise<boolean>;
  revoke(tokenId: string): Promise<void>;
}

/** Any failure of Redis refuses the step (fail closed) rather than guessing a purpose or a grant. */
const guarded = <T>(call: () => Promise<T>): Promise<T> => failClosed(call, v2StoreUnavailable);

export function createPendingPurposes(store: PendingPurposeStore): PendingPurposes {
  return {
    remember: (login, purpose) => guarded(() => store.put(login, purpose, PURPOSE_TTL_S)),
    of: (login) => guarded(() => store.get(login)),
    settle: (login, purpose) => guarded(() => store.drop(login, purpose)),
  };
}

export function createRecoveryGrants(store: RecoveryGrantStore): RecoveryGrants {
  return {
    grant: (tokenId, accountId) => guarded(() => store.put(tokenId, accountId, GRANT_TTL_S)),
    holds: async (tokenId, accountId) => (await guarded(() => store.get(tokenId))) === accountId,
    revoke: (tokenId) => guarded(() => store.drop(tokenId)),
  };
}
