import { PropuskError } from '@propusk/contracts';
import type { LoginKind } from './logins.js';

/**
 * Errors of document 003's flows, with the codes contracts define; the v2 profile renders them
 * as `{"code", "message"}` (profiles/v2/errors.ts). Descriptions are for logs and never hold
 * the login itself.
 */

export function loginTaken(kind: LoginKind): PropuskError {
  return kind === 'email'
    ? new PropuskError('email_taken', 'an account with this e-mail address already exists')
    : new PropuskError('phone_taken', 'an account with this phone number already exists');
}

export function loginNotFound(kind: LoginKind): PropuskError {
  return kind === 'email'
    ? new PropuskError('email_not_found', 'no account with this e-mail address')
    : new PropuskError('phone_not_found', 'no account with this phone number');
}

/**
 * No code is pending for this login (never requested, expired, or used): the same answer as a
 * wrong code, with the verification service's code for it, so nothing tells the cases apart.
 */
export function noPendingCode(): PropuskError {
  return new PropuskError('code_invalid', 'no code is pending for this login');
}

export function recoveryNotGranted(): PropuskError {
  return new PropuskError(
    'recovery_not_granted',
    'setting a new password needs a token signed in by a password-recovery code',
  );
}

/** Redis unreachable: no code is bound to a purpose and no grant is read without it (fail closed). */
export function v2StoreUnavailable(): PropuskError {
  return new PropuskError('unavailable', 'v2 code records unavailable (Redis unreachable)');
}
