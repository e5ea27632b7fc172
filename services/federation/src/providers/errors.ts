import { PropuskError } from '@propusk/contracts';
import { PROVIDER_LABELS, type ProviderId } from './provider.js';

/**
 * Errors of talking to a provider. Messages name the provider and what went wrong in our
 * words; the provider's own body is never echoed (it may carry anything, tokens included).
 */
export function providerUnavailable(id: ProviderId, what: string): PropuskError {
  return new PropuskError('provider_unavailable', `${PROVIDER_LABELS[id]} ${what}`);
}

export function codeRejected(id: ProviderId, error: string): PropuskError {
  return new PropuskError(
    'provider_code_rejected',
    `${PROVIDER_LABELS[id]} refused the code (${error}): it is wrong, expired, already used or not ours`,
  );
}

export function tokenInvalid(id: ProviderId): PropuskError {
  return new PropuskError(
    'provider_token_invalid',
    `${PROVIDER_LABELS[id]} refused the access token: it is wrong, expired or revoked`,
  );
}

export function tokenForeign(id: ProviderId): PropuskError {
  return new PropuskError(
    'provider_token_foreign',
    `the ${PROVIDER_LABELS[id]} access token was issued to another application`,
  );
}

export function notConfigured(id: ProviderId): PropuskError {
  return new PropuskError('provider_not_configured', `${PROVIDER_LABELS[id]} sign-in is not configured`);
}
