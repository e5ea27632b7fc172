import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError, type PropuskError } from '@propusk/contracts';
import { classifyFailure, FAILURE_STATUS, type LoginFailure } from '../../http/failure.js';
import { adminMessage } from './presenter.js';

/**
 * Every failure of document 000's routes as `{"message": "..."}` with a fitting status (DESIGN,
 * 000). The document's one message is English, so these are too. A 429 says how long to wait,
 * in the message and in `Retry-After` (RFC 9110 §10.2.3).
 */
export interface AdminFailure {
  status: number;
  message: string;
  retryAfterS?: number;
}

/** details.retryAfter of a 429, in whole seconds, at least 1. */
function retryAfterOf(err: PropuskError): number {
  const value = Number(err.details?.retryAfter);
  return Number.isInteger(value) && value > 0 ? value : 1;
}

function throttled(err: PropuskError, what: (s: number) => string): AdminFailure {
  const s = retryAfterOf(err);
  return { status: 429, message: what(s), retryAfterS: s };
}

const seconds = (s: number) => (s === 1 ? '1 second' : `${s} seconds`);
const signInThrottled = (s: number) =>
  `too many failed sign-in attempts; wait ${seconds(s)} before trying again`;

/** The profile's own codes (registration, codes, tokens); anything else is a login or parse failure. */
function fromCode(err: PropuskError): AdminFailure | undefined {
  switch (err.code) {
    case 'password_rejected':
      // The policy's own words: which rule the password broke.
      return { status: 400, message: err.message };
    case 'not_on_allowlist':
      return {
        status: 403,
        message: 'this Telegram username is not on the staff list; ask an administrator to add it',
      };
    case 'telegram_chat_missing':
      return {
        status: 409,
        message: 'no chat with the bot yet: open the Telegram bot, press /start, then request the code again',
      };
    case 'already_registered':
      return { status: 409, message: 'an account with this username already exists; sign in instead' };
    case 'registration_expired':
      return { status: 400, message: 'the registration for this code has expired; request a new code' };
    case 'code_invalid':
      return { status: 400, message: 'the code is wrong, expired or already used' };
    case 'code_resend_too_soon':
      return throttled(
        err,
        (s) => `a code was sent moments ago; wait ${seconds(s)} before requesting another`,
      );
    case 'code_send_limited':
      return throttled(
        err,
        (s) => `too many codes were requested; wait ${seconds(s)} before requesting another`,
      );
    case 'code_attempts_limited':
      return throttled(err, (s) => `too many wrong codes; wait ${seconds(s)} before trying again`);
    case 'too_many_attempts':
      return throttled(err, signInThrottled);
    case 'invalid_token':
      return { status: 401, message: 'the refresh token is invalid or expired; sign in again' };
    case 'refresh_reused':
      return {
        status: 401,
        message:
          'this refresh token was already used: all sessions of this login were revoked; sign in again',
      };
    default:
      return undefined;
  }
}

/** Login and parsing failures (shared with the other profiles), in this profile's words. */
function fromFailure(failure: LoginFailure, badInput: string): AdminFailure {
  const status = FAILURE_STATUS[failure.kind];
  switch (failure.kind) {
    case 'bad_input':
      return { status, message: badInput };
    case 'malformed_json':
      return { status, message: 'the request body is not valid JSON' };
    case 'too_large':
      return { status, message: 'the request body is too large' };
    case 'unsupported_media_type':
      return { status, message: 'the request body must be JSON (Content-Type: application/json)' };
    case 'invalid_credentials':
      return { status, message: 'wrong username or password' };
    case 'throttled':
      return { status, message: signInThrottled(failure.retryAfterS), retryAfterS: failure.retryAfterS };
    case 'unavailable':
      return { status, message: 'a service is temporarily unavailable; retry later' };
    case 'internal':
      return { status, message: 'internal error' };
  }
}

/** What a route answers for `err`; `badInput` is the route's message for a body it cannot take. */
export function adminFailure(err: unknown, badInput: string): AdminFailure {
  return (isPropuskError(err) && fromCode(err)) || fromFailure(classifyFailure(err), badInput);
}

/** The error handler of one route of the profile: every failure, Fastify's own included, as `{message}`. */
export function adminErrorHandler(badInput: string) {
  return function handleAdminError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
    const failure = adminFailure(err, badInput);
    if (failure.status >= 500 && failure.status !== 503) req.log.error({ err }, 'admin request failed');
    if (failure.status === 503)
      req.log.warn({ reason: err.message }, 'admin request: dependency unavailable');
    if (failure.retryAfterS !== undefined) void reply.header('retry-after', String(failure.retryAfterS));
    return reply.code(failure.status).send(adminMessage(failure.message));
  };
}
