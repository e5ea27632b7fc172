import { PropuskError } from '@propusk/contracts';

/**
 * Wrong login or password: one error for both (and for an account without a password), so
 * the answer never tells whether an account exists (contract identity.verifyPassword).
 */
export function invalidCredentials(): PropuskError {
  return new PropuskError('invalid_credentials', 'wrong login or password');
}
