import { Type, type Static } from '@sinclair/typebox';

/**
 * Request bodies of document 000, checked with TypeBox (no coercion, no unknown fields: see
 * http/login-body.ts). Failures are answered 400 with the route's own message (errors.ts).
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

/** "Update Access Token": `{"refresh_token"}` (the length of contract token.refreshAdminTelegram). */
export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 8192 }) },
  { additionalProperties: false },
);

/** DESIGN, 000: one path, told apart by the body; a body with both (or neither) is neither. */
export const AuthBody = Type.Union([LoginBody, RefreshBody]);
export type AuthBody = Static<typeof AuthBody>;

export function isRefresh(body: AuthBody): body is Static<typeof RefreshBody> {
  return 'refresh_token' in body;
}
