import { Type, type Static } from '@sinclair/typebox';

/**
 * Document 000 (admin-telegram) over HTTP: request bodies as identity checks them (TypeBox, no
 * coercion, no unknown fields) and the answers' shapes: `{}` for both registration steps, the
 * token pair for auth, `{"message": "..."}` for logout and for every failure (DESIGN, 000).
 */

/** "Registration Step One": `{"password", "username"}`; the password policy speaks for the password. */
export const CodeRequestBody = Type.Object(
  {
    // Telegram usernames are at most 32 characters (a leading @ and spaces aside).
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type CodeRequestBody = Static<typeof CodeRequestBody>;

/** "Registration Step Two": `{"code": 588227}`; a number, or the same 6 digits as a string. */
export const RegistrationBody = Type.Object(
  {
    code: Type.Union([
      Type.Integer({ minimum: 0, maximum: 999_999 }),
      Type.String({ pattern: '^[0-9]{6}$' }),
    ]),
  },
  { additionalProperties: false },
);
export type RegistrationBody = Static<typeof RegistrationBody>;

/** "Auth": `{"password", "username"}` (lengths of contract identity.verifyPassword). */
export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

/** "Update Access Token": `{"refresh_token"}` (the length of contract token.refreshAdminTelegram). */
export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 8192 }) },
  { additionalProperties: false },
);
export type RefreshBody = Static<typeof RefreshBody>;

/** DESIGN, 000: one path, told apart by the body; a body with both (or neither) is neither. */
export const AuthBody = Type.Union([LoginBody, RefreshBody]);
export type AuthBody = Static<typeof AuthBody>;

export function isRefresh(body: AuthBody): body is RefreshBody {
  return 'refresh_token' in body;
}

/** Both registration steps answer an empty object. */
export const Accepted = Type.Object({}, { additionalProperties: false });
export type Accepted = Static<typeof Accepted>;

/** "Auth" and "Update Access Token": exactly the two members the document shows. */
export const TokenPair = Type.Object(
  { access_token: Type.String(), refresh_token: Type.String() },
  { additionalProperties: false },
);
export type TokenPair = Static<typeof TokenPair>;

/** Logout's answer, and the shape of every failure of the profile. */
export const Message = Type.Object({ message: Type.String() }, { additionalProperties: false });
export type Message = Static<typeof Message>;

/**
 * What Telegram posts to the bot's webhook: an Update of the Bot API (always with `update_id`).
 * The notification service hands it to grammY as it is; this schema documents it, nothing
 * checks it beyond the secret header.
 */
export const TelegramUpdate = Type.Object(
  { update_id: Type.Integer() },
  { additionalProperties: true, description: 'A Telegram Bot API Update object' },
);
export type TelegramUpdate = Static<typeof TelegramUpdate>;
