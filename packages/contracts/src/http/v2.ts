import { Type, type Static } from '@sinclair/typebox';

/**
 * Document 003 (v2) over HTTP. identity checks these bodies field by field, in the document's
 * order, to answer the document's codes (7 missing, 8 empty, 9 invalid: DESIGN, 003); it takes
 * every field's name and length limit from these schemas (profiles/v2/body.ts). Fields the
 * document does not list are ignored, so no body refuses additional properties. Answers are
 * `{"message", "data"}`, failures `{"code", "message"}` with the HTTP status beside the code.
 */

/** Names are short; longer input is not one (9). Control characters are refused as well. */
const NAME = Type.String({ minLength: 1, maxLength: 100 });
/** RFC 5321's longest usable address. */
const EMAIL = Type.String({ minLength: 1, maxLength: 254, description: 'an e-mail address' });
const PHONE = Type.String({
  minLength: 1,
  maxLength: 32,
  description: 'a Russian mobile number: +79161234567, 8 916 123-45-67, 7 (916) 1234567 …',
});
/** An e-mail address or a Russian mobile number. */
const LOGIN = Type.String({
  minLength: 1,
  maxLength: 254,
  description: 'an e-mail address or a Russian mobile number',
});
/** Long enough for any password the policy admits (128 code points of up to 4 bytes), as login takes. */
const PASSWORD = Type.String({ minLength: 1, maxLength: 1024, description: 'sent as is: spaces count' });

/** "/v2/auth/registration": name, surname, patronymic ("string/null"), email_address, phone_number, password. */
export const RegistrationBody = Type.Object({
  name: NAME,
  surname: NAME,
  patronymic: Type.Optional(Type.Union([NAME, Type.Null()])),
  email_address: EMAIL,
  phone_number: PHONE,
  password: PASSWORD,
});
export type RegistrationBody = Static<typeof RegistrationBody>;

/** "/v2/auth/verification" and "/v2/auth/passwordRecovery": `login`. */
export const LoginBody = Type.Object({ login: LOGIN });
export type LoginBody = Static<typeof LoginBody>;

/** "/v2/auth/loginByPassword": email_address, password. */
export const PasswordLoginBody = Type.Object({ email_address: EMAIL, password: PASSWORD });
export type PasswordLoginBody = Static<typeof PasswordLoginBody>;

/** "/v2/auth/loginByPhone": phone_number. */
export const PhoneLoginBody = Type.Object({ phone_number: PHONE });
export type PhoneLoginBody = Static<typeof PhoneLoginBody>;

/** "/v2/auth/сode": login, code (whether the code is right is answered 106, not here). */
export const CodeBody = Type.Object({
  login: LOGIN,
  code: Type.String({ minLength: 1, maxLength: 32, description: 'the 6-digit code' }),
});
export type CodeBody = Static<typeof CodeBody>;

/** `POST /v2/auth/password` (beyond the document: the end of password recovery): password. */
export const NewPasswordBody = Type.Object({ password: PASSWORD });
export type NewPasswordBody = Static<typeof NewPasswordBody>;

/** registration, loginByPassword, code: `data.token`, the JWT. */
export const TokenAnswer = Type.Object(
  {
    message: Type.String(),
    data: Type.Object({ token: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type TokenAnswer = Static<typeof TokenAnswer>;

/** verification, loginByPhone, passwordRecovery: `data.timeout`, seconds until a resend. */
export const TimeoutAnswer = Type.Object(
  {
    message: Type.String(),
    data: Type.Object({ timeout: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type TimeoutAnswer = Static<typeof TimeoutAnswer>;

/** `password`: a message and no data. */
export const DoneAnswer = Type.Object(
  { message: Type.String(), data: Type.Object({}, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type DoneAnswer = Static<typeof DoneAnswer>;

/** Every failure: `422:7` is HTTP 422 with `{"code": 7, "message": "..."}`. */
export const Failure = Type.Object(
  { code: Type.Integer(), message: Type.String() },
  { additionalProperties: false },
);
export type Failure = Static<typeof Failure>;
