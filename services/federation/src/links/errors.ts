import { PropuskError } from '@propusk/contracts';

/** Errors of the link flow (state, code binding, the provider's denial). */
export function stateInvalid(): PropuskError {
  return new PropuskError(
    'oauth_state_invalid',
    'state is unknown, expired, already used or belongs to another provider: start the sign-in again',
  );
}

export function codeInvalid(): PropuskError {
  return new PropuskError(
    'oauth_code_invalid',
    'code is unknown, expired or already used: start the sign-in again',
  );
}

/** The provider sent the browser back with `error=` (RFC 6749 §4.1.2.1), e.g. access_denied. */
export function providerDenied(label: string, description: string): PropuskError {
  return new PropuskError('provider_denied', `${label} did not authorize the sign-in: ${description}`);
}
