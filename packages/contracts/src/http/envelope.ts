import { Type, type Static } from '@sinclair/typebox';
import { PasswordLoginBody } from './password-login.js';

/**
 * Document 001 (envelope) over HTTP: answers are `{"data": {...}}`; failures add
 * `"errors": [{"code", "message"}]` (3001 for login, 3002 for logout) and echo what they can in
 * `data` (DESIGN, 001).
 */

/** "POST Admin Login" and "POST User Login": `{"username", "password"}`, nothing else. */
export const LoginBody = PasswordLoginBody;
export type LoginBody = Static<typeof LoginBody>;

/** One entry of `errors`. */
export const ErrorItem = Type.Object(
  { code: Type.Integer(), message: Type.String() },
  { additionalProperties: false },
);
export type ErrorItem = Static<typeof ErrorItem>;

/** "Success Response Example" of both logins. */
export const TokenAnswer = Type.Object(
  { data: Type.Object({ token: Type.String() }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type TokenAnswer = Static<typeof TokenAnswer>;

/** "Failed Response Example": the given username echoed (when one was sent as a string). */
export const Failure = Type.Object(
  {
    data: Type.Object({ username: Type.Optional(Type.String()) }, { additionalProperties: false }),
    errors: Type.Array(ErrorItem, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type Failure = Static<typeof Failure>;

/** "GET Logout", success: where to go (ENVELOPE_LOGOUT_REDIRECT). */
export const LogoutAnswer = Type.Object(
  { data: Type.Object({ redirect: Type.String() }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type LogoutAnswer = Static<typeof LogoutAnswer>;

/** "GET Logout", failure: the failed redirect (ENVELOPE_LOGOUT_FAILED_REDIRECT) and error 3002. */
export const LogoutFailure = Type.Object(
  {
    data: Type.Object({ redirect: Type.String() }, { additionalProperties: false }),
    errors: Type.Array(ErrorItem, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type LogoutFailure = Static<typeof LogoutFailure>;
