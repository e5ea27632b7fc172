import type { authorizationHttp } from '@propusk/contracts';

/**
 * Document 002's shapes: `/validate/jwt/access` answers the JSON literal `true` or `false`,
 * `/validate/jwt/refresh` `{"access", "email"}`; errors are `{"detail": "..."}` (DESIGN, 002),
 * worded as the federation service words this profile's other answers.
 */
export interface DetailReply {
  status: number;
  body: authorizationHttp.Detail;
}

export const AUTHORIZATION_MESSAGES = Object.freeze({
  refreshMissing: 'Query parameter "refresh" is required',
  refreshInvalid: 'The refresh token is invalid, expired or revoked',
  badRequest: 'The request is malformed',
  unavailable: 'Service temporarily unavailable, retry later',
  internal: 'Internal server error',
});

export function detailReply(status: number, detail: string): DetailReply {
  return { status, body: { detail } };
}

/** Exactly the two fields of document 002's example. */
export function refreshBody(r: { access: string; email: string }): authorizationHttp.RefreshedAccess {
  return { access: r.access, email: r.email };
}
