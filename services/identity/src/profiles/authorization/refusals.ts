import { isPropuskError, PropuskError } from '@propusk/contracts';

/**
 * Registration made the account, then the token service failed. The account stays (it is
 * complete, only not signed in), so the answer says so and names the way in; a retried
 * registration answers 409 with the same advice. `details.registered` lets the profile show
 * these words instead of a general "unavailable".
 */
export function registeredWithoutTokens(err: unknown): PropuskError {
  return new PropuskError(
    'unavailable',
    'the account was registered, but signing in failed for now: sign in with /authorization/login/email',
    { registered: true, cause: isPropuskError(err) ? err.code : 'internal' },
  );
}

export function isRegisteredWithoutTokens(err: PropuskError): boolean {
  return err.code === 'unavailable' && err.details?.registered === true;
}
