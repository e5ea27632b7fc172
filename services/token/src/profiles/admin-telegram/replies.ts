import type { adminTelegramHttp } from '@propusk/contracts';

/**
 * Document 000's shape: `{"message": "..."}`. Success is the document's text; the error texts
 * are ours (DESIGN: "Errors: {"message": "..."} with a fitting HTTP status"), worded as the
 * gateway words its own answers on this profile.
 */
export interface AdminReply {
  status: number;
  body: adminTelegramHttp.Message;
}

export const ADMIN_MESSAGES = Object.freeze({
  loggedOut: 'successfully logged out',
  // The gateway's words for the same failures on this profile (gateway/src/profiles/answers.ts).
  unauthorized: 'the access token is invalid, expired or revoked; sign in again',
  badRequest: 'the request is malformed',
  tooLarge: 'the request body is too large',
  unavailable: 'a service is temporarily unavailable; retry later',
  internal: 'internal error',
});

export function adminReply(status: number, message: string): AdminReply {
  return { status, body: { message } };
}
