import { FederationError } from '../errors.js';

/** Errors of the link flow (state, code binding, request parameters). */
export function stateInvalid(): FederationError {
  return new FederationError(
    'oauth_state_invalid',
    'state is unknown, expired, already used or belongs to another provider: start the sign-in again',
  );
}

export function codeInvalid(): FederationError {
  return new FederationError(
    'oauth_code_invalid',
    'code is unknown, expired or already used: start the sign-in again',
  );
}

export function missingParameter(name: string): FederationError {
  return new FederationError('invalid_request', `${name} is required`);
}

export function invalidParameter(name: string, why: string): FederationError {
  return new FederationError('invalid_request', `${name} ${why}`);
}

/** The provider sent the browser back with `error=` (RFC 6749 §4.1.2.1), e.g. access_denied. */
export function providerDenied(label: string, description: string): FederationError {
  return new FederationError('provider_denied', `${label} did not authorize the sign-in: ${description}`);
}
