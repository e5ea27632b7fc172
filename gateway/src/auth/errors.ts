/**
 * Why a presented access token did not yield an identity:
 * - `missing`: no credentials in a scheme the profile accepts (RFC 6750 §3.1: no error code);
 * - `invalid`: a token was presented and is malformed, forged, expired, revoked or of another
 *   profile (RFC 6750 §3.1 `invalid_token`); the reason stays in the log, never in the answer;
 * - `unavailable`: the token could not be checked because a dependency (NATS, Redis, the token
 *   service) is down; the gateway fails closed and answers 503.
 */
export type AuthFailureReason = 'missing' | 'invalid' | 'unavailable';

export class AuthError extends Error {
  constructor(
    readonly reason: AuthFailureReason,
    /** For the log only. */
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'AuthError';
  }
}

export function invalidToken(detail: string): AuthError {
  return new AuthError('invalid', detail);
}

export function unavailable(detail: string): AuthError {
  return new AuthError('unavailable', detail);
}
