import { PropuskError } from '@propusk/contracts';

/**
 * Refusals of federated sign-in (contract identity.federatedSignIn). Federation renders them
 * for document 002 with the route to use instead.
 */

/** register: this provider account has an account already (409). */
export function federatedIdentityExists(): PropuskError {
  return new PropuskError('federated_identity_exists', 'this provider account is registered already');
}

/** login: no account is registered with this provider account (404). */
export function federatedIdentityUnknown(): PropuskError {
  return new PropuskError(
    'federated_identity_unknown',
    'no account is registered with this provider account',
  );
}
