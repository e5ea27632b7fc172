import { PropuskError } from '@propusk/contracts';

/**
 * A request parameter missing, repeated or malformed (contracts' common `invalid_request`,
 * 400): shared by the link flow, the providers, user info and the sign-in.
 */
export function missingParameter(name: string): PropuskError {
  return new PropuskError('invalid_request', `${name} is required`);
}

export function invalidParameter(name: string, why: string): PropuskError {
  return new PropuskError('invalid_request', `${name} ${why}`);
}
