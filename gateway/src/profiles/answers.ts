import type { Profile } from '@propusk/contracts';

/**
 * Answers the gateway gives itself (no service involved), each in the shape of the route's
 * profile, so a profile's clients only ever see their document's shapes; the standard
 * endpoints' in RFC 6749 §5.2's. Documented in gateway/README.md ("Answers of the gateway").
 */

/** A documented API, or `standard` for the endpoints beyond the documents (routes/table.ts). */
export type AnswerShape = Profile | 'standard';
export type GatewayFailure =
  | 'missing_credentials'
  | 'invalid_token'
  | 'bad_request'
  | 'payload_too_large'
  | 'not_found'
  | 'method_not_allowed'
  | 'too_many_requests'
  | 'unavailable'
  | 'timeout'
  | 'internal';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

const STATUS: Readonly<Record<GatewayFailure, number>> = {
  missing_credentials: 401,
  invalid_token: 401,
  bad_request: 400,
  payload_too_large: 413,
  not_found: 404,
  method_not_allowed: 405,
  too_many_requests: 429,
  unavailable: 503,
  timeout: 504,
  internal: 500,
};

/**
 * Document 004 answers `{"result": {"status", "message"}, "data": {}}`; messages are DRF's Russian
 * ones (rest_framework/locale/ru: NotFound "Не найдено.", MethodNotAllowed 'Метод "{method}" не
 * разрешен.', `{method}` filled in as DRF's python-brace-format does).
 */
const DRF_MESSAGES: Readonly<Record<GatewayFailure, string>> = {
  missing_credentials: 'Учетные данные не были предоставлены.',
  invalid_token: 'Недопустимый токен.',
  bad_request: 'Некорректный запрос.',
  payload_too_large: 'Слишком большой запрос.',
  not_found: 'Не найдено.',
  method_not_allowed: 'Метод "{method}" не разрешен.',
  too_many_requests: 'Слишком много запросов. Повторите попытку позже.',
  unavailable: 'Сервис временно недоступен, попробуйте позже.',
  timeout: 'Сервис не ответил вовремя, попробуйте позже.',
  internal: 'Внутренняя ошибка сервера.',
};

/**
 * Document 001 answers `{"data": {...}, "errors": [{"code", "message"}]}` and documents two
 * codes: 3001 (login: bad credentials) and 3002 (logout failure). On a route with a documented
 * code the gateway's own failures carry that code (clients only ever see documented codes) with
 * a message naming the cause; elsewhere they use the fallback codes below.
 */
const ENVELOPE_MESSAGES: Readonly<Record<GatewayFailure, string>> = {
  missing_credentials: 'token required',
  invalid_token: 'invalid token',
  bad_request: 'bad request',
  payload_too_large: 'request body too large',
  not_found: 'not found',
  method_not_allowed: 'method not allowed',
  too_many_requests: 'too many attempts',
  unavailable: 'service unavailable',
  timeout: 'service timeout',
  internal: 'internal error',
};

export const ENVELOPE_FALLBACK_CODES: Readonly<Record<GatewayFailure, number>> = {
  missing_credentials: 3003,
  invalid_token: 3003,
  bad_request: 3004,
  payload_too_large: 3005,
  not_found: 3008,
  method_not_allowed: 3010,
  too_many_requests: 3009,
  unavailable: 3006,
  timeout: 3006,
  internal: 3007,
};

/**
 * Document 000 answers failures as `{"message": "..."}` (its logout answer's shape), in English
 * as its one message is; identity's own answers on these routes use the same words.
 */
const ADMIN_TELEGRAM_MESSAGES: Readonly<Record<GatewayFailure, string>> = {
  missing_credentials: 'an access token is required: send Authorization: Bearer <access_token>',
  invalid_token: 'the access token is invalid, expired or revoked; sign in again',
  bad_request: 'the request is malformed',
  payload_too_large: 'the request body is too large',
  not_found: 'not found',
  method_not_allowed: 'method {method} is not allowed here; the Allow header lists the methods that are',
  too_many_requests: 'too many requests; wait as Retry-After says, then retry',
  unavailable: 'a service is temporarily unavailable; retry later',
  timeout: 'a service did not answer in time; retry later',
  internal: 'internal error',
};

/**
 * Document 003 (v2): HTTP status and numeric code travel together (DESIGN, 003: `422:7` is HTTP
 * 422 with `{"code": 7, ...}`); the gateway's own failures are not among the document's codes,
 * so each carries its HTTP status as the code. Russian, as the document and the services' v2
 * answers are (the token service's signout words its 503/500 the same way).
 */
const V2_MESSAGES: Readonly<Record<GatewayFailure, string>> = {
  missing_credentials: 'Требуется авторизация',
  invalid_token: 'Недействительный токен',
  bad_request: 'Некорректный запрос',
  payload_too_large: 'Слишком большой запрос',
  not_found: 'Не найдено',
  method_not_allowed: 'Метод {method} не разрешён, допустимые перечислены в заголовке Allow',
  too_many_requests: 'Слишком много запросов, повторите попытку позже',
  unavailable: 'Сервис временно недоступен, повторите попытку позже',
  timeout: 'Сервис не ответил вовремя, повторите попытку позже',
  internal: 'Внутренняя ошибка сервера',
};

/**
 * Document 002 (authorization): `{"detail": "..."}` (DESIGN, 002), in English as the federation
 * and token services word this profile's answers.
 */
const AUTHORIZATION_MESSAGES: Readonly<Record<GatewayFailure, string>> = {
  missing_credentials: 'An access token is required',
  invalid_token: 'The access token is invalid, expired or revoked',
  bad_request: 'The request is malformed',
  payload_too_large: 'The request body is too large',
  not_found: 'Not found',
  method_not_allowed: 'Method "{method}" not allowed',
  too_many_requests: 'Too many requests, retry later',
  unavailable: 'Service temporarily unavailable, retry later',
  timeout: 'Service did not answer in time, retry later',
  internal: 'Internal server error',
};

/**
 * The standard endpoints (discovery, JWKS, RFC 7662, RFC 7009): RFC 6749 §5.2's error codes,
 * as the token service answers them there. No access token is checked on these routes; their
 * callers authenticate with client credentials, hence `invalid_client` for the 401s.
 */
const STANDARD_ERRORS: Readonly<Record<GatewayFailure, { error: string; description: string }>> = {
  missing_credentials: { error: 'invalid_client', description: 'client authentication failed' },
  invalid_token: { error: 'invalid_client', description: 'client authentication failed' },
  bad_request: { error: 'invalid_request', description: 'the request is malformed' },
  payload_too_large: { error: 'invalid_request', description: 'the request body is too large' },
  not_found: { error: 'not_found', description: 'not found' },
  method_not_allowed: { error: 'invalid_request', description: 'method {method} not allowed' },
  // RFC 6749 §4.1.2.1: "temporarily unable to handle the request due to a temporary overloading".
  too_many_requests: { error: 'temporarily_unavailable', description: 'too many requests; retry later' },
  unavailable: { error: 'temporarily_unavailable', description: 'service unavailable; retry later' },
  timeout: { error: 'temporarily_unavailable', description: 'service did not answer in time; retry later' },
  internal: { error: 'server_error', description: 'internal error' },
};

/** RFC 6749 §5.2: a 401 for client authentication names the scheme it takes (Basic). */
function standardChallenge(failure: GatewayFailure): Record<string, string> {
  if (failure === 'missing_credentials' || failure === 'invalid_token')
    return { 'www-authenticate': 'Basic realm="propusk"' };
  if (failure === 'unavailable') return { 'retry-after': '1' };
  return {};
}

/** RFC 6750 §3: 401 answers name the scheme; an invalid token says `invalid_token`. */
function challenge(failure: GatewayFailure): Record<string, string> {
  if (failure === 'missing_credentials') return { 'www-authenticate': 'Bearer realm="propusk"' };
  if (failure === 'invalid_token')
    return { 'www-authenticate': 'Bearer realm="propusk", error="invalid_token"' };
  if (failure === 'unavailable') return { 'retry-after': '1' };
  return {};
}

export interface AnswerOptions {
  /** The route's documented error code (envelope: 3001 login, 3002 logout). */
  code?: number | undefined;
  /** A 429's wait in whole seconds: `Retry-After` (RFC 9110 §10.2.3; RFC 6585 §4). */
  retryAfterS?: number | undefined;
  /** A 405's request method, named by the message (`{method}`). */
  method?: string | undefined;
  /** A 405's `Allow`: the methods the path serves (RFC 9110 §15.5.6: "MUST generate an Allow"). */
  allow?: readonly string[] | undefined;
}

/** The `{method}` of a 405's message. */
function fill(message: string, options: AnswerOptions): string {
  return message.replace('{method}', options.method ?? '');
}

/** RFC 9110 §10.2.1: a 405 lists the target's methods in `Allow`. */
function allowHeader(failure: GatewayFailure, options: AnswerOptions): Record<string, string> {
  if (failure !== 'method_not_allowed') return {};
  return { allow: (options.allow ?? []).join(', ') };
}

/** Retry-After of a 429: whole seconds, at least 1. */
function waitHeader(failure: GatewayFailure, options: AnswerOptions): Record<string, string> {
  if (failure !== 'too_many_requests') return {};
  const s = options.retryAfterS;
  return { 'retry-after': String(s !== undefined && Number.isFinite(s) ? Math.max(1, Math.ceil(s)) : 1) };
}

export function failureAnswer(
  profile: AnswerShape,
  failure: GatewayFailure,
  options: AnswerOptions = {},
): Answer {
  const status = STATUS[failure];
  const headers = {
    ...challenge(failure),
    ...waitHeader(failure, options),
    ...allowHeader(failure, options),
  };
  switch (profile) {
    case 'drf':
      return {
        status,
        headers,
        body: { result: { status, message: fill(DRF_MESSAGES[failure], options) }, data: {} },
      };
    case 'envelope':
      return {
        status,
        headers,
        body: {
          data: {},
          errors: [
            {
              code: options.code ?? ENVELOPE_FALLBACK_CODES[failure],
              message: fill(ENVELOPE_MESSAGES[failure], options),
            },
          ],
        },
      };
    case 'admin-telegram':
      return { status, headers, body: { message: fill(ADMIN_TELEGRAM_MESSAGES[failure], options) } };
    case 'v2':
      return { status, headers, body: { code: status, message: fill(V2_MESSAGES[failure], options) } };
    case 'authorization':
      return { status, headers, body: { detail: fill(AUTHORIZATION_MESSAGES[failure], options) } };
    case 'standard': {
      const { error, description } = STANDARD_ERRORS[failure];
      return {
        status,
        headers: {
          ...standardChallenge(failure),
          ...waitHeader(failure, options),
          ...allowHeader(failure, options),
        },
        body: { error, error_description: fill(description, options) },
      };
    }
    default:
      return unknownProfile(profile);
  }
}

/** Every profile has its shape above; a new one fails to compile here until it gets one. */
function unknownProfile(profile: never): never {
  throw new Error(`no answer shape for profile ${String(profile)}`);
}
