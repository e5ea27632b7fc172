import { Type, type Static } from '@sinclair/typebox';
import { PasswordLoginBody } from './password-login.js';

/**
 * Document 004 (drf) over HTTP: every answer is `{"result": {"status", "message"}, "data"}` with
 * the HTTP status repeated in `result.status` and the document's Russian messages. Bodies come
 * as JSON or as an HTML form (Django REST framework's default parsers).
 */

/** "API Авторизации": username, password. */
export const LoginBody = PasswordLoginBody;
export type LoginBody = Static<typeof LoginBody>;

/**
 * "API Проверки токена": `{"username": "<non-empty string>"}` and nothing else; surrounding
 * whitespace is dropped, as DRF's CharField does by default (so it must hold something else).
 */
export const CheckTokenBody = Type.Object(
  { username: Type.String({ minLength: 1, pattern: '\\S' }) },
  { additionalProperties: false },
);
export type CheckTokenBody = Static<typeof CheckTokenBody>;

export const Result = Type.Object(
  { status: Type.Integer(), message: Type.String() },
  { additionalProperties: false },
);
export type Result = Static<typeof Result>;

/** DESIGN: drf `role` is superuser, staff or no_role. */
export const Role = Type.Union([Type.Literal('superuser'), Type.Literal('staff'), Type.Literal('no_role')]);
export type Role = Static<typeof Role>;

/** "Пример успешного ответа" of login. */
export const LoginAnswer = Type.Object(
  {
    result: Result,
    data: Type.Object(
      { token: Type.String(), username: Type.String(), role: Role },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type LoginAnswer = Static<typeof LoginAnswer>;

/** "Пример успешного ответа" of check_token. */
export const CheckTokenAnswer = Type.Object(
  {
    result: Result,
    data: Type.Object({ username: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type CheckTokenAnswer = Static<typeof CheckTokenAnswer>;

/** Logout's answer and every failure: `data` is empty. */
export const Answer = Type.Object(
  { result: Result, data: Type.Object({}, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type Answer = Static<typeof Answer>;
