import { PropuskError } from '@propusk/contracts';

/**
 * Errors of login throttling, as the contract of identity.verifyPassword names them
 * (packages/contracts/src/identity.ts): 429 with details.retryAfter, or 503 when the counters
 * cannot be reached (fail closed: no attempt runs unthrottled).
 */
export function tooManyAttempts(retryAfterS: number): PropuskError {
  return new PropuskError('too_many_attempts', `too many failed login attempts; retry in ${retryAfterS} s`, {
    retryAfter: retryAfterS,
  });
}

export function throttleUnavailable(): PropuskError {
  return new PropuskError('unavailable', 'login throttle unavailable (Redis unreachable); login refused');
}
