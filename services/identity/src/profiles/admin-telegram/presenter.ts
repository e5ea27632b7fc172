import type { AdminTelegramPair, adminTelegramHttp } from '@propusk/contracts';

/**
 * Document 000's answers: `{}` for both registration steps, the token pair for auth, and
 * `{"message": "..."}` (its logout answer's shape, in English as it is) for every failure.
 */
export type AdminMessage = adminTelegramHttp.Message;

export function adminMessage(message: string): AdminMessage {
  return { message };
}

/** "Registration Step One" and "Step Two" answer an empty object. */
export function registrationAccepted(): adminTelegramHttp.Accepted {
  return {};
}

/** Exactly the two members the document shows, whatever else a reply might carry. */
export function tokenPair(pair: AdminTelegramPair): adminTelegramHttp.TokenPair {
  return { access_token: pair.access_token, refresh_token: pair.refresh_token };
}
