import { Type, type Static } from '@sinclair/typebox';

/**
 * The username-and-password login body of documents 001 (envelope) and 004 (drf): both required
 * non-empty strings, nothing else. Lengths are those of the contract identity.verifyPassword.
 * One object for both documents: identity checks both logins with it (http/login-routes.ts).
 */
export const PasswordLoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type PasswordLoginBody = Static<typeof PasswordLoginBody>;
