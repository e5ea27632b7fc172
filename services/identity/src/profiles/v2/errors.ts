import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError, type PropuskError } from '@propusk/contracts';
import type { PasswordProblem } from '../../credentials/policy.js';
import { V2FieldError } from './body.js';
import { PASSWORD_TEXT, V2_TEXT, V2_WAIT_TEXT } from './messages.js';
import { v2Failure, type V2Failure } from './presenter.js';

/**
 * Every failure of document 003's routes as `{"code", "message"}`: the codes the document lists
 * where it lists one (DESIGN, 003: `422:7` is HTTP 422 with code 7), the HTTP status as the code
 * where it lists none (throttling, authorization, outages), never Fastify's own body. A 429
 * carries `Retry-After` in seconds (RFC 9110 §10.2.3).
 */

/** How a route answers an unknown phone: document 003 gives loginByPhone code 100, the others 101. */
export interface V2FailureOptions {
  phoneNotFoundCode?: 100 | 101;
}

/** details.retryAfter of a 429, in whole seconds, at least 1. */
function retryAfterOf(err: PropuskError): number {
  const value = Number(err.details?.retryAfter);
  return Number.isInteger(value) && value > 0 ? value : 1;
}

function throttled(err: PropuskError, code: number, text: (s: number) => string): V2Failure {
  const s = retryAfterOf(err);
  return v2Failure(429, code, text(s), s);
}

function passwordText(err: PropuskError): string {
  const problem = err.details?.problem as PasswordProblem | undefined;
  return (problem && PASSWORD_TEXT[problem]) ?? err.message;
}

function fromCode(err: PropuskError, options: V2FailureOptions): V2Failure | undefined {
  switch (err.code) {
    case 'password_rejected':
      return v2Failure(422, 9, passwordText(err));
    case 'email_taken':
      return v2Failure(409, 100, V2_TEXT.emailTaken);
    case 'phone_taken':
      return v2Failure(409, 101, V2_TEXT.phoneTaken);
    case 'email_not_found':
      return v2Failure(404, 100, V2_TEXT.emailNotFound);
    case 'phone_not_found':
      return v2Failure(404, options.phoneNotFoundCode ?? 101, V2_TEXT.phoneNotFound);
    case 'code_invalid':
      return v2Failure(422, 106, V2_TEXT.codeInvalid);
    case 'code_resend_too_soon':
      return throttled(err, 105, V2_WAIT_TEXT.codeAlreadySent);
    case 'code_send_limited':
      return throttled(err, 105, V2_WAIT_TEXT.codesLimited);
    // Not listed by the document: throttling answers HTTP 429 with 429 as its code.
    case 'code_attempts_limited':
      return throttled(err, 429, V2_WAIT_TEXT.codeAttempts);
    case 'too_many_attempts':
      return throttled(err, 429, V2_WAIT_TEXT.signInAttempts);
    // DESIGN, 003: a wrong password on loginByPassword is HTTP 401 with code 103.
    case 'invalid_credentials':
      return v2Failure(401, 103, V2_TEXT.wrongPassword);
    case 'invalid_token':
      return v2Failure(401, 401, V2_TEXT.unauthorized);
    case 'recovery_not_granted':
      return v2Failure(403, 403, V2_TEXT.recoveryNotGranted);
    // A dependency (Postgres, Redis, the token or verification service) is down, slow or confused.
    case 'unavailable':
    case 'timeout':
    case 'invalid_reply':
      return v2Failure(503, 503, V2_TEXT.unavailable);
    default:
      return undefined;
  }
}

/**
 * Fastify's own rejections (https://fastify.dev/docs/latest/Reference/Errors/): a body that is
 * not JSON, or not sent as JSON, is a field with an invalid value (9); too large is 413.
 */
function fromFastify(err: FastifyError): V2Failure | undefined {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
    return v2Failure(413, 413, V2_TEXT.tooLarge);
  }
  if (
    err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
    err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    err.statusCode === 415 ||
    (err instanceof SyntaxError && err.statusCode === 400)
  ) {
    return v2Failure(422, 9, V2_TEXT.notJsonObject);
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return v2Failure(400, 400, V2_TEXT.badRequest);
  }
  return undefined;
}

/** What a v2 route answers for `err`. */
export function v2FailureOf(err: unknown, options: V2FailureOptions = {}): V2Failure {
  if (err instanceof V2FieldError) return v2Failure(422, err.code, err.message);
  if (isPropuskError(err)) return fromCode(err, options) ?? v2Failure(500, 500, V2_TEXT.internal);
  if (typeof err === 'object' && err !== null) {
    const known = fromFastify(err as FastifyError);
    if (known) return known;
  }
  return v2Failure(500, 500, V2_TEXT.internal);
}

/** The error handler of one v2 route: every failure, Fastify's own included, as `{code, message}`. */
export function v2ErrorHandler(options: V2FailureOptions = {}) {
  return function handleV2Error(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
    const failure = v2FailureOf(err, options);
    if (failure.status === 500) req.log.error({ err }, 'v2 request failed');
    if (failure.status === 503) req.log.warn({ reason: err.message }, 'v2 request: dependency unavailable');
    if (failure.retryAfterS !== undefined) void reply.header('retry-after', String(failure.retryAfterS));
    return reply.code(failure.status).send(failure.body);
  };
}
