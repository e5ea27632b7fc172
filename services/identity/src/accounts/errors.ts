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

/** Another account holds this e-mail address (contract code `email_taken`, 409). */
export function emailTaken(): PropuskError {
  return new PropuskError('email_taken', 'an account with this e-mail address already exists');
}

/** Another account holds this phone number (contract code `phone_taken`, 409). */
export function phoneTaken(): PropuskError {
  return new PropuskError('phone_taken', 'an account with this phone number already exists');
}
