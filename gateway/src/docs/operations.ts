import {
  adminTelegramHttp as at,
  authorizationHttp as az,
  drfHttp as drf,
  envelopeHttp as env,
  standardHttp as std,
  TELEGRAM_WEBHOOK_PATH,
  v2Http as v2,
  type TObject,
  type TSchema,
} from '@propusk/contracts';
import { AUTHORIZATION_PROVIDER_PATHS, V2_CYRILLIC_CODE_PATH } from '../routes/table.js';

/**
 * What the OpenAPI document says of each operation of the route table (routes/table.ts): its
 * request (the very contracts schemas the services check requests with) and its documented
 * answers, with the documents' own examples (shared/seeds, 000–004) where they have them. The
 * gateway adds its own answers (401 for a refused token, 413, 503) from profiles/answers.ts.
 * Every route and method of the table must be here: building the document fails otherwise.
 */

export type MediaType = 'json' | 'form';

export interface DocResponse {
  readonly status: number;
  readonly description: string;
  /** A contracts schema; none for an empty body. */
  readonly schema?: TSchema;
  readonly example?: unknown;
  /** Response headers worth naming: name → what it holds. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface DocRequestBody {
  readonly schema: TSchema;
  readonly media: readonly MediaType[];
  /** Named examples: name → value. */
  readonly examples?: Readonly<Record<string, unknown>>;
}

export interface Operation {
  readonly summary: string;
  readonly description?: string;
  readonly body?: DocRequestBody;
  /** The query string, one parameter per property. */
  readonly query?: TObject;
  /** Credentials other than the route's access token: the standard endpoints' HTTP Basic clients. */
  readonly clientAuth?: true;
  readonly responses: readonly DocResponse[];
}

/** `METHOD path`, the path as routes/table.ts spells it. */
export type OperationKey = `${'GET' | 'POST'} ${string}`;

export function operationKey(method: 'GET' | 'POST', path: string): OperationKey {
  return `${method} ${path}`;
}

// ---- examples from the documents ----------------------------------------------------------

/** Document 000's example tokens. */
const ADMIN_PAIR = {
  access_token:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3NfdXVpZCI6IjRmYzdhNmY5LWUzNzgtNDI0ZS05N2FlLTgxODZiNDI0N2FiOSIsImF1dGhvcml6ZWQiOnRydWUsImNoYXRfaWQiOjM1NDYyMjMsImV4cCI6MTYzODQ1ODAxMywidXNlcm5hbWUiOiJJMEh1S2MifQ.J90F-4a__q3uMkRWAS0K-IxXczT7t1rnPZqc1GAeDWU',
  refresh_token:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjaGF0X2lkIjozNTQ2MjIzLCJleHAiOjE2MzkwNjE5MTMsInJlZnJlc2hfdXVpZCI6IjgxYmY4ZGI1LTY0MGItNDQ0Zi1iMDM0LWYwMWJjNjUwN2RiOCIsInVzZXJuYW1lIjoiSTBIdUtjIn0.YaxLs25XUbgSTDqSxwNoqdrQ9CNl40PoTznVVRe81z4',
};

/** Document 001's example token. */
const ENVELOPE_TOKEN =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJkaWdlb2NhY2hlIiwidXNlcm5hbWUiOiJ0ZXN0X3Bvc3RfZXhpc3RpbmdfYWRtaW4xIiwiYWRtaW4iOnRydWUsImlhdCI6MTQzMjgzNDUxMCwiZXhwIjoxNDMyODQxNzEwfQ.ETykiIdT0iLcjHtOSbUrAXgPf9RijMqB7_K-jlTCIDB5x9ii5y5Ei459ypDsV0rXaxU-uECpDYM9jeOdLsZWN2RosuXt98TmF1MqyUTohdS8CdA0ubbvIUWGG6hpuaRepNBpuYRWJU-Qij9mNl6-9ROoY8sPeF2aqPZ4M0lSHKc';

/** Document 002's example pair. */
const AUTHORIZATION_PAIR = {
  access:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX25hbWUiOiJhbmRyZWdtZWR2ZWRldjI3MTNAZ21haWwuY29tIiwiaGVhZGVyIjp7ImFsZyI6IkhTMjU2IiwidHlwIjoiSldUIiwidXVpZCI6ImMwMTM4NDYxLWY5YjUtNDI1NS04OTI1LTg1YzI2NjMxYThjZiJ9LCJleHAiOjE3MzkyMzAxOTQsIm1vZGUiOiJhY2Nlc3NfdG9rZW4ifQ.SgqAnJSa2yqf6Wevwt44RK2rJ9q9SfKd5fbQ9JhWslI',
  refresh:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX25hbWUiOiJhbmRyZWdtZWR2ZWRldjI3MTNAZ21haWwuY29tIiwiaGVhZGVyIjp7ImFsZyI6IkhTMjU2IiwidHlwIjoiSldUIiwidXVpZCI6ImVmNTg2MjdjLWQwMmUtNDRmOS05ZmQzLTMzNzYyNzQ4ZjdhMSJ9LCJleHAiOjE3MzkyNDA5OTQsIm1vZGUiOiJyZWZyZXNoX3Rva2VuIn0.miwX5cHKF_ZykUMTOJ66gujbsTTtJKhQQBzZmyDknPQ',
};

/** Document 003 shows no token; a JWT of its kind, shortened. */
const V2_TOKEN = 'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2ln';

/** Document 004's example token (as shown, shortened). */
const DRF_TOKEN = '48a22aa3a719bc8724fa36d5b1a...';

// ---- document 000 (admin-telegram) ---------------------------------------------------------

const adminMessage = (message: string) => ({ message });

const ADMIN_TELEGRAM: Readonly<Record<OperationKey, Operation>> = {
  'POST /api/v1/admin/registration/code': {
    summary: 'Registration step one: send a confirmation code to the Telegram chat',
    description:
      'Document 000. The username must be on the staff list and have pressed /start in the bot; ' +
      'the 6-digit code arrives by Telegram DM and lives 30 minutes.',
    body: {
      schema: at.CodeRequestBody,
      media: ['json'],
      examples: { document: { password: '4tfgefhey75uh', username: 'I0HuKc' } },
    },
    responses: [
      { status: 200, description: 'the code was sent', schema: at.Accepted, example: {} },
      {
        status: 400,
        description: 'a body it cannot take, or a password the policy refuses',
        schema: at.Message,
        example: adminMessage('send {"username": string, "password": string} and nothing else'),
      },
      {
        status: 403,
        description: 'the username is not on the staff list',
        schema: at.Message,
        example: adminMessage(
          'this Telegram username is not on the staff list; ask an administrator to add it',
        ),
      },
      {
        status: 409,
        description: 'no chat with the bot yet, or the account exists',
        schema: at.Message,
        example: adminMessage(
          'no chat with the bot yet: open the Telegram bot, press /start, then request the code again',
        ),
      },
      {
        status: 429,
        description: 'a code was sent moments ago, or too many were requested',
        schema: at.Message,
        example: adminMessage('a code was sent moments ago; wait 60 seconds before requesting another'),
        headers: { 'retry-after': 'seconds to wait' },
      },
    ],
  },
  'POST /api/v1/admin/registration': {
    summary: 'Registration step two: complete the registration with the code',
    description: 'Document 000. The code alone identifies its pending registration.',
    body: { schema: at.RegistrationBody, media: ['json'], examples: { document: { code: 588227 } } },
    responses: [
      { status: 200, description: 'the account is registered', schema: at.Accepted, example: {} },
      {
        status: 400,
        description: 'a wrong, expired or used code, or a body it cannot take',
        schema: at.Message,
        example: adminMessage('the code is wrong, expired or already used'),
      },
      {
        status: 409,
        description: 'the account exists already',
        schema: at.Message,
        example: adminMessage('an account with this username already exists; sign in instead'),
      },
      {
        status: 429,
        description: 'too many wrong codes',
        schema: at.Message,
        example: adminMessage('too many wrong codes; wait 900 seconds before trying again'),
        headers: { 'retry-after': 'seconds to wait' },
      },
    ],
  },
  'POST /api/v1/admin/auth': {
    summary: 'Sign in with username and password, or refresh with the refresh token',
    description:
      'Document 000 ("Auth" and "Update Access Token"): told apart by the body. Access tokens ' +
      'live 15 minutes, refresh tokens 7 days; a refresh rotates the pair, and a reused refresh ' +
      'token revokes its whole family.',
    body: {
      schema: at.AuthBody,
      media: ['json'],
      examples: {
        auth: { password: '4tfgefhey75uh', username: 'I0HuKc' },
        refresh: { refresh_token: ADMIN_PAIR.refresh_token },
      },
    },
    responses: [
      { status: 200, description: 'the token pair', schema: at.TokenPair, example: ADMIN_PAIR },
      {
        status: 400,
        description: 'a body that is neither form',
        schema: at.Message,
        example: adminMessage(
          'send either {"username": string, "password": string} or {"refresh_token": string}',
        ),
      },
      {
        status: 401,
        description: 'wrong username or password; an invalid, expired or reused refresh token',
        schema: at.Message,
        example: adminMessage('wrong username or password'),
      },
      {
        status: 429,
        description: 'too many failed sign-in attempts',
        schema: at.Message,
        example: adminMessage('too many failed sign-in attempts; wait 900 seconds before trying again'),
        headers: { 'retry-after': 'seconds to wait' },
      },
    ],
  },
  'POST /api/v1/admin/logout': {
    summary: 'Sign out: the access token is deleted from the session store',
    description: 'Document 000. The same token is refused afterwards, and its refresh token too.',
    responses: [
      {
        status: 200,
        description: 'signed out',
        schema: at.Message,
        example: adminMessage('successfully logged out'),
      },
    ],
  },
  [`POST ${TELEGRAM_WEBHOOK_PATH}`]: {
    summary: "Telegram's webhook calls to the bot",
    description:
      'Used when TELEGRAM_WEBHOOK_URL is set. The bot records the chats of document 000 ' +
      '(/start). Telegram authenticates with the X-Telegram-Bot-Api-Secret-Token header.',
    body: {
      schema: at.TelegramUpdate,
      media: ['json'],
      examples: {
        start: {
          update_id: 1,
          message: {
            message_id: 1,
            date: 1700000000,
            chat: { id: 3546223, type: 'private' },
            from: { id: 3546223, is_bot: false, first_name: 'I0HuKc', username: 'I0HuKc' },
            text: '/start',
          },
        },
      },
    },
    responses: [
      { status: 200, description: 'the update was taken' },
      {
        status: 401,
        description: 'no or a wrong X-Telegram-Bot-Api-Secret-Token',
        schema: at.Message,
        example: adminMessage('unauthorized'),
      },
    ],
  },
};

// ---- document 001 (envelope) ---------------------------------------------------------------

const envelopeFailure = (code: number, message: string, username?: string) => ({
  data: username === undefined ? {} : { username },
  errors: [{ code, message }],
});

function envelopeLogin(role: 'admin' | 'user'): Operation {
  const example = { username: `test_${role}`, password: `test_${role}_pasword1` };
  return {
    summary: role === 'admin' ? 'Admin login' : 'User login',
    description:
      role === 'admin'
        ? 'Document 001. Only accounts with the admin (or superuser) role; others get the same 3001 as a wrong password.'
        : 'Document 001.',
    body: { schema: env.LoginBody, media: ['json'], examples: { document: example } },
    responses: [
      {
        status: 200,
        description: 'an RS256 JWT (2 h)',
        schema: env.TokenAnswer,
        example: { data: { token: ENVELOPE_TOKEN } },
      },
      {
        status: 400,
        description: 'a body it cannot take (3001)',
        schema: env.Failure,
        example: envelopeFailure(3001, 'bad credentials'),
      },
      {
        status: 401,
        description: 'bad credentials (3001)',
        schema: env.Failure,
        example: envelopeFailure(3001, 'bad credentials', 'test_admin'),
      },
      {
        status: 429,
        description: 'too many failed sign-in attempts (3001)',
        schema: env.Failure,
        example: envelopeFailure(3001, 'too many attempts', example.username),
        headers: { 'retry-after': 'seconds to wait' },
      },
    ],
  };
}

const ENVELOPE: Readonly<Record<OperationKey, Operation>> = {
  'POST /api/v1/auth/admin/': envelopeLogin('admin'),
  'POST /api/v1/auth/user/': envelopeLogin('user'),
  'GET /api/v1/auth/logout/': {
    summary: 'Logout: revokes the presented token and answers where to go',
    description:
      'Document 001. Both redirects are configurable (ENVELOPE_LOGOUT_REDIRECT, ENVELOPE_LOGOUT_FAILED_REDIRECT).',
    responses: [
      {
        status: 200,
        description: 'signed out',
        schema: env.LogoutAnswer,
        example: { data: { redirect: '/go/here/after/logout' } },
      },
      {
        status: 401,
        description: 'no valid token: logout failure (3002)',
        schema: env.LogoutFailure,
        example: {
          data: { redirect: '/go/here/after/failed/logout' },
          errors: [{ code: 3002, message: 'logout failure' }],
        },
      },
    ],
  },
};

// ---- document 002 (authorization) ----------------------------------------------------------

const detail = (text: string) => ({ detail: text });

function authorizationSignIn(summary: string, body: TSchema, example: unknown, wrong: string): Operation {
  return {
    summary,
    description: 'Document 002. `hash_password` is the password as the client sends it (it is hashed here).',
    body: { schema: body, media: ['json'], examples: { example } },
    responses: [
      { status: 200, description: 'the token pair', schema: az.TokenPair, example: AUTHORIZATION_PAIR },
      {
        status: 400,
        description: 'a field missing, unknown or unusable',
        schema: az.Detail,
        example: detail('"hash_password" is required'),
      },
      { status: 401, description: 'wrong credentials', schema: az.Detail, example: detail(wrong) },
      {
        status: 429,
        description: 'too many failed sign-in attempts',
        schema: az.Detail,
        example: detail('too many failed sign-in attempts; wait 900 seconds before trying again'),
        headers: { 'retry-after': 'seconds to wait' },
      },
    ],
  };
}

/** The document's example authorize URLs, per provider path. */
const AUTHORIZE_URLS: Readonly<Record<(typeof AUTHORIZATION_PROVIDER_PATHS)[number], string>> = {
  vk: 'https://id.vk.com/authorize?response_type=code&client_id=52896748&scope=email&redirect_uri=https://register-666-ramzer.onrender.com/vk/callback&state=xxrDRfZ-b3o1bLqfXX_ej9FQihsMhqrMgE1BHC-Es8tlWH_mU&code_challenge=p3wIzymBaGNuLY--fifRtLlbYUf7rkgu50TJkkx-mWU&code_challenge_method=s256',
  'mail.ru':
    'https://oauth.mail.ru/login?client_id=80dcc118c6b44d57916fec6760aadefb&response_type=code&scope=userinfo&redirect_uri=https://register-666-ramzer.onrender.com/mail.ru/callback&state=7R14kQMwEdCB6myfBOywxZgD51xnudvIAbsg8USgIJX3i&prompt_force=1',
  yandex: 'https://oauth.yandex.ru/authorize?response_type=code&client_id=4421f9793cae4d529b9e045ba22ca3b6',
};

const PROVIDER_LABELS: Readonly<Record<(typeof AUTHORIZATION_PROVIDER_PATHS)[number], string>> = {
  vk: 'VK ID',
  'mail.ru': 'Mail.ru',
  yandex: 'Yandex',
};

function providerOperations(provider: (typeof AUTHORIZATION_PROVIDER_PATHS)[number]) {
  const label = PROVIDER_LABELS[provider];
  const notConfigured = {
    status: 404,
    description: 'the provider is not configured',
    schema: az.Detail,
    example: detail(`${label} sign-in is not configured`),
  };
  const providerDown = {
    status: 502,
    description: 'the provider failed to answer',
    schema: az.Detail,
    example: detail(`${label} did not answer in time`),
  };
  const ops: Record<OperationKey, Operation> = {
    [`GET /${provider}/link`]: {
      summary: `${label}: the authorize URL`,
      description:
        'Document 002 ("Link"). A JSON string; every provider gets `state` and PKCE S256. Also sets ' +
        'the HttpOnly, SameSite=Lax cookie that binds the sign-in to this browser (RFC 9700 §4.7.1): ' +
        'the callback and get/token need it back (a front end sends it with credentials).',
      responses: [
        {
          status: 200,
          description: 'the authorize URL',
          schema: az.AuthorizeUrl,
          example: AUTHORIZE_URLS[provider],
          headers: {
            'set-cookie': `propusk_oauth (__Secure-propusk_oauth on https): the browser binding, Path=/${provider}`,
          },
        },
        notConfigured,
      ],
    },
    [`GET /${provider}/callback`]: {
      summary: `${label}: where the provider sends the browser back`,
      description:
        'DESIGN, 002: checks `state` (single use, from the browser that opened the link: its ' +
        'binding cookie) and binds the code to its PKCE verifier, then ' +
        'redirects to OAUTH_FRONTEND_REDIRECT with `code` (and `device_id` for VK ID), or answers them as JSON.',
      query: az.CallbackQuery,
      responses: [
        {
          status: 200,
          description: 'without OAUTH_FRONTEND_REDIRECT: what get/token takes',
          schema: az.CallbackAnswer,
          example: provider === 'vk' ? { code: 'vk2.a.code', device_id: 'device-1' } : { code: 'code-1' },
        },
        {
          status: 302,
          description: 'with OAUTH_FRONTEND_REDIRECT: there, with `code` (and `device_id`) added',
          headers: { location: 'the front end with the parameters' },
        },
        {
          status: 400,
          description:
            'an unknown, expired or used state, or one this browser did not open; the provider refused; a parameter given twice',
          schema: az.Detail,
          example: detail(
            'state is unknown, expired, already used or belongs to another provider: start the sign-in again',
          ),
        },
        notConfigured,
      ],
    },
    [`GET /${provider}/get/token`]: {
      summary: `${label}: exchange the code for the provider's tokens`,
      description:
        'Document 002 ("Get/Token"). `device_id` is VK ID\'s only. Only the browser that opened the ' +
        'link (its binding cookie) may redeem the code; the answer clears the cookie.',
      query: az.ProviderTokenQuery,
      responses: [
        {
          status: 200,
          description: "the provider's tokens",
          schema: az.ProviderTokens,
          example: { access_token: 'provider-access', refresh_token: 'provider-refresh', expire_in: 3600 },
        },
        {
          status: 400,
          description: 'no code, or an unknown, expired or used one, or one this browser did not open',
          schema: az.Detail,
          example: detail('code is unknown, expired or already used: start the sign-in again'),
        },
        notConfigured,
        providerDown,
      ],
    },
  };
  for (const [op, summary, conflict] of [
    [
      'registration',
      'register with the provider account',
      { status: 409, text: `this ${label} account is already registered: sign in with /${provider}/login` },
    ],
    [
      'login',
      'sign in with the provider account',
      {
        status: 404,
        text: `this ${label} account is not registered: register with /${provider}/registration`,
      },
    ],
  ] as const) {
    ops[`GET /${provider}/${op}`] = {
      summary: `${label}: ${summary}`,
      description:
        "Document 002. Takes the provider's access token, reads the provider's user info and checks " +
        'the token was issued to our client id.',
      query: az.ProviderSignInQuery,
      responses: [
        { status: 200, description: 'the token pair', schema: az.TokenPair, example: AUTHORIZATION_PAIR },
        {
          status: 400,
          description: 'no access token',
          schema: az.Detail,
          example: detail('access_token is required'),
        },
        {
          status: 401,
          description: 'the provider refused the token, or it was issued to another client',
          schema: az.Detail,
          example: detail(`${label} refused the access token`),
        },
        {
          status: conflict.status,
          description: conflict.status === 409 ? 'registered already' : 'not registered',
          schema: az.Detail,
          example: detail(conflict.text),
        },
        providerDown,
      ],
    };
  }
  return ops;
}

const AUTHORIZATION: Readonly<Record<OperationKey, Operation>> = {
  'POST /authorization/registration': {
    summary: 'Registration with phone number, e-mail and password',
    description: 'Document 002. `hash_password` is the password as the client sends it (it is hashed here).',
    body: {
      schema: az.RegistrationBody,
      media: ['json'],
      examples: {
        example: {
          phone_number: '+79001234567',
          email: 'andregmedvedev2713@gmail.com',
          hash_password: 'correct horse battery',
        },
      },
    },
    responses: [
      {
        status: 200,
        description: 'registered and signed in',
        schema: az.TokenPair,
        example: AUTHORIZATION_PAIR,
      },
      {
        status: 400,
        description: 'a field missing, unknown or unusable; a password the policy refuses',
        schema: az.Detail,
        example: detail('"email" must be an e-mail address, e.g. name@example.com'),
      },
      {
        status: 409,
        description: 'the e-mail address or phone number is registered already',
        schema: az.Detail,
        example: detail(
          'an account with this e-mail address already exists: sign in with /authorization/login/email',
        ),
      },
    ],
  },
  'POST /authorization/login/email': authorizationSignIn(
    'Login with e-mail and password',
    az.EmailLoginBody,
    { email: 'andregmedvedev2713@gmail.com', hash_password: 'correct horse battery' },
    'wrong e-mail or password',
  ),
  'POST /authorization/login/phone/number': authorizationSignIn(
    'Login with phone number and password',
    az.PhoneLoginBody,
    { phone_number: '+79001234567', hash_password: 'correct horse battery' },
    'wrong phone number or password',
  ),
  ...Object.fromEntries(AUTHORIZATION_PROVIDER_PATHS.flatMap((p) => Object.entries(providerOperations(p)))),
  'GET /validate/jwt/access': {
    summary: 'Is this access token live?',
    description:
      'Document 002 ("Access"): the JSON literal `true` or `false`, never an error for a bad token.',
    query: az.ValidateAccessQuery,
    responses: [
      {
        status: 200,
        description: '`true` for a live access token, else `false`',
        schema: az.AccessValidity,
        example: false,
      },
    ],
  },
  'GET /validate/jwt/refresh': {
    summary: 'A new access token for a refresh token',
    description: 'Document 002 ("Refresh").',
    query: az.ValidateRefreshQuery,
    responses: [
      {
        status: 200,
        description: 'a new access token and the e-mail of its account',
        schema: az.RefreshedAccess,
        example: { access: AUTHORIZATION_PAIR.access, email: 'andrejmedvedev2713@gmail.com' },
      },
      {
        status: 400,
        description: 'no refresh parameter',
        schema: az.Detail,
        example: detail('Query parameter "refresh" is required'),
      },
      {
        status: 401,
        description: 'not a live refresh token',
        schema: az.Detail,
        example: detail('The refresh token is invalid, expired or revoked'),
      },
    ],
  },
};

// ---- document 003 (v2) ---------------------------------------------------------------------

const v2Failure = (code: number, message: string) => ({ code, message });

/** `422:7`, `422:8`, `422:9` for the field `field`, in identity's words (profiles/v2/messages.ts). */
function v2FieldFailures(field: string): DocResponse[] {
  return [
    {
      status: 422,
      description: '7: a required field is missing',
      schema: v2.Failure,
      example: v2Failure(7, `Поле ${field} обязательно`),
    },
    {
      status: 422,
      description: '8: a field is empty',
      schema: v2.Failure,
      example: v2Failure(8, `Поле ${field} не может быть пустым`),
    },
    {
      status: 422,
      description: '9: a field holds an unusable value',
      schema: v2.Failure,
      example: v2Failure(9, `Поле ${field} должно быть строкой`),
    },
  ];
}

const V2_NOT_FOUND: readonly DocResponse[] = [
  {
    status: 404,
    description: '100: no account with this e-mail address',
    schema: v2.Failure,
    example: v2Failure(100, 'Учётная запись с этим адресом электронной почты не найдена'),
  },
  {
    status: 404,
    description: '101: no account with this phone number',
    schema: v2.Failure,
    example: v2Failure(101, 'Учётная запись с этим номером телефона не найдена'),
  },
];

const V2_CODE_SENT: DocResponse = {
  status: 200,
  description: 'the code was sent; `data.timeout`: seconds until a resend',
  schema: v2.TimeoutAnswer,
  example: { message: 'Код отправлен', data: { timeout: 60 } },
};

const V2_ALREADY_SENT: DocResponse = {
  status: 429,
  description: '105: a code was sent already',
  schema: v2.Failure,
  example: v2Failure(105, 'Код уже отправлен, повторить можно через 60 с'),
  headers: { 'retry-after': 'seconds to wait' },
};

const v2Token = (message: string): DocResponse => ({
  status: 200,
  description: '`data.token`: the JWT',
  schema: v2.TokenAnswer,
  example: { message, data: { token: V2_TOKEN } },
});

const v2CodeOperation: Operation = {
  summary: 'Send the code from the SMS or e-mail',
  description:
    'Document 003 spells the path with a Cyrillic `с` (`/v2/auth/%D1%81ode`); `/v2/auth/code` is ' +
    'the same operation. After verification the contact is marked verified; after loginByPhone ' +
    'and passwordRecovery the code signs in.',
  body: {
    schema: v2.CodeBody,
    media: ['json'],
    examples: { example: { login: '+79161234567', code: '123456' } },
  },
  responses: [
    v2Token('Вход выполнен'),
    ...v2FieldFailures('login'),
    ...V2_NOT_FOUND,
    {
      status: 422,
      description: '106: the code is not valid',
      schema: v2.Failure,
      example: v2Failure(106, 'Код недействителен: проверьте его или запросите новый'),
    },
  ],
};

const V2: Readonly<Record<OperationKey, Operation>> = {
  'POST /v2/auth/registration': {
    summary: 'Registration',
    description: 'Document 003. Phones are Russian mobile numbers, normalised to E.164.',
    body: {
      schema: v2.RegistrationBody,
      media: ['json'],
      examples: {
        example: {
          name: 'Иван',
          surname: 'Петров',
          patronymic: null,
          email_address: 'ivan.petrov@example.ru',
          phone_number: '+79161234567',
          password: 'длинный пароль 42',
        },
      },
    },
    responses: [
      v2Token('Регистрация прошла успешно'),
      ...v2FieldFailures('name'),
      {
        status: 409,
        description: '100: the e-mail address is registered already',
        schema: v2.Failure,
        example: v2Failure(100, 'Учётная запись с этим адресом электронной почты уже зарегистрирована'),
      },
      {
        status: 409,
        description: '101: the phone number is registered already',
        schema: v2.Failure,
        example: v2Failure(101, 'Учётная запись с этим номером телефона уже зарегистрирована'),
      },
    ],
  },
  'POST /v2/auth/verification': {
    summary: 'Verify the account: send a code to its e-mail or phone',
    description: 'Document 003. Needs the JWT in Authorization.',
    body: {
      schema: v2.LoginBody,
      media: ['json'],
      examples: { example: { login: 'ivan.petrov@example.ru' } },
    },
    responses: [V2_CODE_SENT, ...v2FieldFailures('login'), ...V2_NOT_FOUND, V2_ALREADY_SENT],
  },
  'POST /v2/auth/loginByPassword': {
    summary: 'Sign in with e-mail and password',
    description: 'Document 003. A wrong password (not listed by the document) is HTTP 401 with code 103.',
    body: {
      schema: v2.PasswordLoginBody,
      media: ['json'],
      examples: { example: { email_address: 'ivan.petrov@example.ru', password: 'длинный пароль 42' } },
    },
    responses: [
      v2Token('Вход выполнен'),
      ...v2FieldFailures('email_address'),
      {
        status: 401,
        description: '103: wrong password',
        schema: v2.Failure,
        example: v2Failure(103, 'Неверный пароль'),
      },
      V2_NOT_FOUND[0] as DocResponse,
      {
        status: 429,
        description: 'too many failed sign-in attempts',
        schema: v2.Failure,
        example: v2Failure(429, 'Слишком много неудачных попыток входа, повторите через 900 с'),
        headers: { 'retry-after': 'seconds to wait' },
      },
    ],
  },
  'POST /v2/auth/loginByPhone': {
    summary: 'Sign in by phone: send a code by SMS',
    description: 'Document 003. An unknown phone is code 100 here (101 elsewhere).',
    body: {
      schema: v2.PhoneLoginBody,
      media: ['json'],
      examples: { example: { phone_number: '+79161234567' } },
    },
    responses: [
      V2_CODE_SENT,
      ...v2FieldFailures('phone_number'),
      {
        status: 404,
        description: '100: no account with this phone number',
        schema: v2.Failure,
        example: v2Failure(100, 'Учётная запись с этим номером телефона не найдена'),
      },
      V2_ALREADY_SENT,
    ],
  },
  'POST /v2/auth/passwordRecovery': {
    summary: 'Password recovery: send a code to the e-mail or phone',
    description: 'Document 003. The code signs in; then POST /v2/auth/password sets the new password.',
    body: { schema: v2.LoginBody, media: ['json'], examples: { example: { login: '+79161234567' } } },
    responses: [V2_CODE_SENT, ...v2FieldFailures('login'), ...V2_NOT_FOUND, V2_ALREADY_SENT],
  },
  [`POST ${V2_CYRILLIC_CODE_PATH}`]: v2CodeOperation,
  'POST /v2/auth/code': v2CodeOperation,
  'POST /v2/auth/password': {
    summary: 'Set a new password after a recovery code signed in',
    description: 'Beyond document 003: the end of password recovery. Needs the JWT the recovery code gave.',
    body: {
      schema: v2.NewPasswordBody,
      media: ['json'],
      examples: { example: { password: 'новый длинный пароль' } },
    },
    responses: [
      {
        status: 200,
        description: 'the password is changed',
        schema: v2.DoneAnswer,
        example: { message: 'Пароль изменён', data: {} },
      },
      ...v2FieldFailures('password'),
      {
        status: 403,
        description: 'the token was not signed in by a recovery code',
        schema: v2.Failure,
        example: v2Failure(403, 'Задать новый пароль можно только после входа по коду восстановления'),
      },
    ],
  },
  'POST /v2/auth/signout': {
    summary: 'Sign out: the token dies',
    description: 'Document 003: "204 — токен аутентификации отвязан от учётной записи пользователя".',
    responses: [
      { status: 204, description: 'signed out; no body' },
      {
        status: 401,
        description: 'no live v2 token',
        schema: v2.Failure,
        example: v2Failure(401, 'Токен авторизации отсутствует, недействителен или уже отозван'),
      },
    ],
  },
};

// ---- document 004 (drf) --------------------------------------------------------------------

const drfAnswer = (status: number, message: string, data: Record<string, unknown> = {}) => ({
  result: { status, message },
  data,
});

function drfOperations(base: string): Record<OperationKey, Operation> {
  const ops: Record<OperationKey, Operation> = {};
  ops[`POST ${base}/login/`] = {
    summary: 'Login: an access token for API requests',
    description:
      'Document 004 ("API Авторизации"). JSON or an HTML form. `role`: superuser, staff or no_role.',
    body: {
      schema: drf.LoginBody,
      media: ['json', 'form'],
      examples: { document: { username: 'staff1', password: 'qwerty123' } },
    },
    responses: [
      {
        status: 200,
        description: 'Авторизация успешна',
        schema: drf.LoginAnswer,
        example: drfAnswer(200, 'Авторизация прошла успешно', {
          token: DRF_TOKEN,
          username: 'staff1',
          role: 'staff',
        }),
      },
      {
        status: 400,
        description: 'Отсутствует логин или пароль',
        schema: drf.Answer,
        example: drfAnswer(400, 'Отсутствует логин или пароль'),
      },
      {
        status: 400,
        description:
          'both sent but unusable (not a string, too long, another field): the message says what, as DRF serializers do',
        schema: drf.Answer,
        example: drfAnswer(400, 'username: Убедитесь, что в этом поле не больше 320 символов.'),
      },
      {
        status: 401,
        description: 'Неверные учетные данные',
        schema: drf.Answer,
        example: drfAnswer(401, 'Неверные учетные данные'),
      },
      {
        status: 429,
        description: 'too many failed sign-in attempts',
        schema: drf.Answer,
        example: drfAnswer(429, 'Слишком много неудачных попыток входа. Повторите попытку через 900 сек.'),
        headers: { 'retry-after': 'seconds to wait' },
      },
    ],
  };
  ops[`POST ${base}/logout/`] = {
    summary: 'Logout: deletes the access token of the current user',
    description:
      'Document 004 ("API Выхода из системы"): the token may be sent or not; 200 either way. Any body is ignored.',
    responses: [
      {
        status: 200,
        description: 'Выход успешен',
        schema: drf.Answer,
        example: drfAnswer(200, 'Выход выполнен успешно'),
      },
    ],
  };
  ops[`POST ${base}/check_token/`] = {
    summary: 'Check that the token is valid and belongs to the username',
    description: 'Document 004 ("API Проверки токена"). JSON or an HTML form.',
    body: {
      schema: drf.CheckTokenBody,
      media: ['json', 'form'],
      examples: { document: { username: 'staff1' } },
    },
    responses: [
      {
        status: 200,
        description: 'Токен валиден и принадлежит пользователю',
        schema: drf.CheckTokenAnswer,
        example: drfAnswer(200, 'Токен валиден и принадлежит пользователю', { username: 'staff1' }),
      },
      {
        status: 400,
        description: 'Не передано имя пользователя',
        schema: drf.Answer,
        example: drfAnswer(400, 'Не передано имя пользователя'),
      },
      {
        status: 401,
        description: 'Токен отсутствует или недействителен',
        schema: drf.Answer,
        example: drfAnswer(401, 'Учетные данные не были предоставлены.'),
      },
      {
        status: 403,
        description: 'Имя пользователя не соответствует токену',
        schema: drf.Answer,
        example: drfAnswer(403, 'Имя пользователя не соответствует токену'),
      },
    ],
  };
  return ops;
}

const DRF: Readonly<Record<OperationKey, Operation>> = {
  ...drfOperations('/api/v1'),
  ...drfOperations('/api/v1/accounts'),
};

// ---- beyond the documents: the standard endpoints -------------------------------------------

const oauthError = (error: string, description: string) => ({ error, error_description: description });

function tokenFormOperation(summary: string, description: string, ok: DocResponse): Operation {
  return {
    summary,
    description,
    clientAuth: true,
    body: {
      schema: std.TokenForm,
      media: ['form'],
      examples: { example: { token: AUTHORIZATION_PAIR.access, token_type_hint: 'access_token' } },
    },
    responses: [
      ok,
      {
        status: 400,
        description: 'no token, a parameter given twice, or a body that is not a form',
        schema: std.OAuthError,
        example: oauthError('invalid_request', 'the token parameter is required'),
      },
      {
        status: 401,
        description: 'client authentication failed (HTTP Basic, INTROSPECTION_CLIENTS)',
        schema: std.OAuthError,
        example: oauthError('invalid_client', 'client authentication failed'),
        headers: { 'www-authenticate': 'Basic realm="propusk"' },
      },
      {
        status: 429,
        description:
          'the token service: too many failed client authentications for this client id, from this address or from all (CLIENT_AUTH_MAX_FAILURES_PER_ADDRESS, CLIENT_AUTH_MAX_FAILURES_PER_CLIENT); the right secret waits too',
        schema: std.OAuthError,
        example: oauthError('temporarily_unavailable', 'too many failed client authentications; retry later'),
        headers: { 'retry-after': 'seconds to wait' },
      },
    ],
  };
}

const STANDARD: Readonly<Record<OperationKey, Operation>> = {
  'GET /.well-known/openid-configuration': {
    summary: 'OpenID Connect Discovery',
    description:
      'The issuer is PUBLIC_BASE_URL. No authorization or token endpoint: sign-in is each profile’s API.',
    responses: [
      {
        status: 200,
        description: 'the discovery document',
        schema: std.DiscoveryDocument,
        example: {
          issuer: 'http://127.0.0.1:8080',
          jwks_uri: 'http://127.0.0.1:8080/.well-known/jwks.json',
          introspection_endpoint: 'http://127.0.0.1:8080/oauth2/introspect',
          introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          revocation_endpoint: 'http://127.0.0.1:8080/oauth2/revoke',
          revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          response_types_supported: [],
          grant_types_supported: [],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        },
      },
    ],
  },
  'GET /.well-known/jwks.json': {
    summary: 'The JWK Set: public keys of envelope and v2 JWTs',
    description: 'RFC 7517 §5. Active and retiring RS256 keys; never an HMAC key.',
    responses: [
      {
        status: 200,
        description: 'the JWK Set',
        schema: std.JwkSet,
        example: {
          keys: [{ kty: 'RSA', kid: 'k1', alg: 'RS256', use: 'sig', n: '0vx7agoebGcQ…', e: 'AQAB' }],
        },
      },
    ],
  },
  'POST /oauth2/introspect': tokenFormOperation(
    'RFC 7662 token introspection',
    'For internal callers with client credentials. Any profile’s token; an inactive one answers `active` alone.',
    {
      status: 200,
      description: '`active` and, for a live token, its members',
      schema: std.Introspection,
      example: {
        active: true,
        sub: 'a1b2',
        username: 'staff1',
        profile: 'drf',
        token_type: 'access_token',
        roles: ['staff'],
      },
    },
  ),
  'POST /oauth2/revoke': tokenFormOperation(
    'RFC 7009 token revocation',
    'For internal callers with client credentials. 200 whether or not the token was live (RFC 7009 §2.2).',
    { status: 200, description: 'revoked, or nothing to revoke; no body' },
  ),
};

/** Every operation of the route table. */
export const OPERATIONS: Readonly<Record<OperationKey, Operation>> = Object.freeze({
  ...ADMIN_TELEGRAM,
  ...ENVELOPE,
  ...AUTHORIZATION,
  ...V2,
  ...DRF,
  ...STANDARD,
});
