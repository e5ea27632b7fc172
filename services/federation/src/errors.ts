/**
 * Errors of the federation service, before any transport maps them. The codes are the ones
 * proposed for `SERVICE_ERRORS.federation` in packages/contracts (still empty there); once they
 * land, FederationError becomes `PropuskError` with the same code and nothing else changes.
 * Redis being down is contracts' common `unavailable` (a PropuskError already).
 */
export const FEDERATION_ERRORS = {
  /** A request parameter is missing, repeated or malformed. */
  invalid_request: 400,
  /** The provider has no client id configured: its routes do not exist here. */
  provider_not_configured: 404,
  /** The callback's state is unknown, expired, already used or of another provider. */
  oauth_state_invalid: 400,
  /** The code given to get/token never came through our callback, or was used already. */
  oauth_code_invalid: 400,
  /** The provider sent the browser back with `error=` (e.g. the user said no). */
  provider_denied: 400,
  /** The provider refused the code (invalid_grant: expired, used, PKCE mismatch). */
  provider_code_rejected: 400,
  /** The provider refused the access token (invalid_token: unknown, expired, revoked). */
  provider_token_invalid: 401,
  /** The access token is valid but was issued to another client than ours. */
  provider_token_foreign: 401,
  /** The provider timed out, failed (5xx), or answered something that is not a usable answer. */
  provider_unavailable: 502,
} as const;

export type FederationErrorCode = keyof typeof FEDERATION_ERRORS;

export class FederationError extends Error {
  readonly status: number;

  constructor(
    readonly code: FederationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FederationError';
    this.status = FEDERATION_ERRORS[code];
  }
}

export function isFederationError(err: unknown): err is FederationError {
  return err instanceof FederationError;
}
