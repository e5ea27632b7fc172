import { Type, type Static } from '@sinclair/typebox';

/**
 * Document 002 (authorization) over HTTP. Bodies of `/authorization/…` (the fields its tables
 * list, all `str`, nothing else; identity checks them with TypeBox, never coerced), the query
 * strings of the provider routes (federation) and of `/validate/jwt/…` (token), and the answers:
 * `{access, refresh}`, the provider's tokens, a JSON string, `true`/`false`, and
 * `{"detail": "..."}` for every failure (DESIGN, 002).
 */

/** Lengths of contract identity.verifyPassword (login 320, password 1024). */
const EMAIL = Type.String({ minLength: 1, maxLength: 320 });
const PHONE = Type.String({ minLength: 1, maxLength: 32 });
const PASSWORD = Type.String({ minLength: 1, maxLength: 1024 });

/** "Registration": phone_number, email, hash_password (the password itself; DESIGN, 002). */
export const RegistrationBody = Type.Object(
  { phone_number: PHONE, email: EMAIL, hash_password: PASSWORD },
  { additionalProperties: false },
);
export type RegistrationBody = Static<typeof RegistrationBody>;

/** "Login/Email": email, hash_password. */
export const EmailLoginBody = Type.Object(
  { email: EMAIL, hash_password: PASSWORD },
  { additionalProperties: false },
);
export type EmailLoginBody = Static<typeof EmailLoginBody>;

/** "Login/Phone_number": phone_number, hash_password. */
export const PhoneLoginBody = Type.Object(
  { phone_number: PHONE, hash_password: PASSWORD },
  { additionalProperties: false },
);
export type PhoneLoginBody = Static<typeof PhoneLoginBody>;

/** Codes, states and device ids of the providers are far shorter; longer input is refused. */
export const PROVIDER_PARAM_MAX_LENGTH = 2048;
/** The longest provider access token `/registration` and `/login` take. */
export const PROVIDER_ACCESS_TOKEN_MAX_LENGTH = 4096;

const param = (description: string) =>
  Type.String({ minLength: 1, maxLength: PROVIDER_PARAM_MAX_LENGTH, description });

/**
 * DESIGN's `/{provider}/callback`: what the provider sends the browser back with (RFC 6749
 * §4.1.2: `code` and `state`, or `error`; VK ID adds `device_id`). Each given once; the flow
 * says which are required. Other parameters (VK's `expires_in`, `type`) are ignored.
 */
export const CallbackQuery = Type.Object({
  code: Type.Optional(param('the authorization code')),
  state: Type.Optional(param('the state of the link')),
  device_id: Type.Optional(param('VK ID only')),
  error: Type.Optional(param('RFC 6749 §4.1.2.1 error code, e.g. access_denied')),
  error_description: Type.Optional(param('the provider’s words for the error')),
});
export type CallbackQuery = Static<typeof CallbackQuery>;

/** "Get/Token": `code` (and, for VK ID, `device_id`) as the callback handed them over. */
export const ProviderTokenQuery = Type.Object({
  code: param('the code the callback handed over'),
  device_id: Type.Optional(param('VK ID only: the device_id the callback handed over')),
});
export type ProviderTokenQuery = Static<typeof ProviderTokenQuery>;

/** "Registration" and "Login" of a provider: the provider's access token. */
export const ProviderSignInQuery = Type.Object({
  access_token: Type.String({
    minLength: 1,
    maxLength: PROVIDER_ACCESS_TOKEN_MAX_LENGTH,
    description: 'the provider’s access token (from get/token)',
  }),
});
export type ProviderSignInQuery = Static<typeof ProviderSignInQuery>;

/** "Access": `?access=<token>`, given once (a repeated or empty one is no token). */
export const ValidateAccessQuery = Type.Object({ access: Type.String({ minLength: 1 }) });
export type ValidateAccessQuery = Static<typeof ValidateAccessQuery>;

/** "Refresh": `?refresh=<token>`, given once. */
export const ValidateRefreshQuery = Type.Object({ refresh: Type.String({ minLength: 1 }) });
export type ValidateRefreshQuery = Static<typeof ValidateRefreshQuery>;

/** Registration, both logins and the providers' registration and login: the document's pair. */
export const TokenPair = Type.Object(
  { access: Type.String(), refresh: Type.String() },
  { additionalProperties: false },
);
export type TokenPair = Static<typeof TokenPair>;

/** "Link": the provider's authorize URL as a JSON string. */
export const AuthorizeUrl = Type.String({ description: 'the provider’s authorize URL, with state and PKCE' });
export type AuthorizeUrl = Static<typeof AuthorizeUrl>;

/** DESIGN's callback without OAUTH_FRONTEND_REDIRECT: what get/token takes next. */
export const CallbackAnswer = Type.Object(
  { code: Type.String(), device_id: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export type CallbackAnswer = Static<typeof CallbackAnswer>;

/** "Get/Token": the provider's tokens; `expire_in` in seconds (the provider's `expires_in`). */
export const ProviderTokens = Type.Object(
  { access_token: Type.String(), refresh_token: Type.String(), expire_in: Type.Number() },
  { additionalProperties: false },
);
export type ProviderTokens = Static<typeof ProviderTokens>;

/** "Access": the JSON literal `true` or `false`. */
export const AccessValidity = Type.Boolean();
export type AccessValidity = Static<typeof AccessValidity>;

/** "Refresh": a new access token and the account's e-mail. */
export const RefreshedAccess = Type.Object(
  { access: Type.String(), email: Type.String() },
  { additionalProperties: false },
);
export type RefreshedAccess = Static<typeof RefreshedAccess>;

/** Every failure of the profile. */
export const Detail = Type.Object({ detail: Type.String() }, { additionalProperties: false });
export type Detail = Static<typeof Detail>;
