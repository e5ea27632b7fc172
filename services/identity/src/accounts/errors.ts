import { PropuskError } from '@propusk/contracts';

/** Errors of the accounts capability, before any transport maps them to a profile. */
export type AccountsErrorKind = 'duplicate' | 'weak_password' | 'invalid_input';

export class AccountsError extends Error {
  constructor(
    readonly kind: AccountsErrorKind,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AccountsError';
  }
}

/** identity.getAccount for an id that names no account (contract code `account_not_found`). */
export function accountNotFound(): PropuskError {
  return new PropuskError('account_not_found', 'no such account');
}

/** Postgres unreachable: `unavailable` (503), so callers can tell an outage from a bug. */
export function accountStoreUnavailable(): PropuskError {
  return new PropuskError('unavailable', 'account store unavailable (Postgres unreachable)');
}
