import { isPropuskError, PropuskError } from '@propusk/contracts';
import { PROVIDER_LABELS, PROVIDER_PATHS, type ProviderId } from '../providers/provider.js';

/**
 * Errors of document 002's `/{provider}/registration` and `/{provider}/login`. identity's
 * refusals keep their codes (and statuses) and get words that say what to do next, with the
 * route to use; a dependency that is down stays what it is (`unavailable`, `timeout`: 503).
 */

function route(provider: ProviderId, step: 'login' | 'registration'): string {
  return `/${PROVIDER_PATHS[provider]}/${step}`;
}

const IDENTITY_REFUSALS = {
  federated_identity_exists: (p: ProviderId) =>
    `this ${PROVIDER_LABELS[p]} account is already registered: sign in with ${route(p, 'login')}`,
  federated_identity_unknown: (p: ProviderId) =>
    `this ${PROVIDER_LABELS[p]} account is not registered: register with ${route(p, 'registration')}`,
  email_taken: (p: ProviderId) =>
    `another account already uses the e-mail address of this ${PROVIDER_LABELS[p]} account: sign in to it with its password`,
  phone_taken: (p: ProviderId) =>
    `another account already uses the phone number of this ${PROVIDER_LABELS[p]} account: sign in to it with its password`,
} as const;

function isRefusal(code: string): code is keyof typeof IDENTITY_REFUSALS {
  return Object.prototype.hasOwnProperty.call(IDENTITY_REFUSALS, code);
}

/** What another service's failure means here: its refusal, its outage, or our bug. */
export function dependencyFailure(what: string, provider: ProviderId, err: unknown): unknown {
  if (!isPropuskError(err)) return err;
  if (isRefusal(err.code)) return new PropuskError(err.code, IDENTITY_REFUSALS[err.code](provider));
  if (err.status >= 500) return err;
  // Any other 4xx means we asked wrongly (a schema or contract mismatch), not the user.
  return new PropuskError('internal', `${what} answered ${err.code}`);
}

/**
 * Registration made the account, then the token service failed. The account stays (document
 * 002 has no way to undo it and nothing is half-made: it is complete, only unsigned-in), so
 * the answer says it exists and that login is the way in; a registration retry answers 409
 * with the same advice. `details.registered` lets the profile show these words.
 */
export function registeredWithoutTokens(provider: ProviderId, err: unknown): PropuskError {
  return new PropuskError(
    'unavailable',
    `the ${PROVIDER_LABELS[provider]} account was registered, but signing in failed for now: retry with ${route(provider, 'login')}`,
    { registered: true, cause: isPropuskError(err) ? err.code : 'internal' },
  );
}

export function isRegisteredWithoutTokens(err: PropuskError): boolean {
  return err.details?.registered === true;
}
