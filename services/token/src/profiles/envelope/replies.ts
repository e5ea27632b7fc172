import type { envelopeHttp } from '@propusk/contracts';

/**
 * Document 001's envelope: `{"data": {...}, "errors": [{"code", "message"}]}`. Logout answers
 * `{"data": {"redirect": ...}}`, or on failure the failed redirect with error 3002.
 */
export interface EnvelopeRedirects {
  /** ENVELOPE_LOGOUT_REDIRECT */
  loggedOut: string;
  /** ENVELOPE_LOGOUT_FAILED_REDIRECT */
  failed: string;
}

export const LOGOUT_FAILURE = Object.freeze({ code: 3002, message: 'logout failure' });

export function logoutSuccess(redirects: EnvelopeRedirects): envelopeHttp.LogoutAnswer {
  return { data: { redirect: redirects.loggedOut } };
}

export function logoutFailure(redirects: EnvelopeRedirects): envelopeHttp.LogoutFailure {
  return { data: { redirect: redirects.failed }, errors: [{ ...LOGOUT_FAILURE }] };
}
