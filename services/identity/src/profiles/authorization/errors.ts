import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError, type PropuskError } from '@propusk/contracts';
import { classifyFailure, FAILURE_STATUS, type LoginFailure } from '../../http/failure.js';
import { BadField } from './body.js';
import { detailBody } from './presenter.js';
import { isRegisteredWithoutTokens } from './refusals.js';

/**
 * Every failure of document 002's `/authorization/…` routes as `{"detail": "..."}` with a
 * fitting status (DESIGN, 002). The general words for an outage and a bug are those of
 * federation's routes of the same profile. A 429 carries `Retry-After` (RFC 9110 §10.2.3).
 */
export interface DetailFailure {
  status: number;
  detail: string;
  retryAfterS?: number;
}

/** What one route says where routes differ. */
export interface RouteWords {
  /** Its 401: one message for an unknown login and a wrong password, so neither is told. */
  invalidCredentials: string;
  /** A body Fastify refused before our checks ran (an empty JSON body). */
  badInput: string;
}

export const UNAVAILABLE = 'Service temporarily unavailable, retry later';
export const INTERNAL = 'Internal server error';

const seconds = (s: number) => (s === 1 ? '1 second' : `${s} seconds`);

/** Identity's refusals of this profile, with what to do next. */
function fromCode(err: PropuskError): DetailFailure | undefined {
  switch (err.code) {
    case 'email_taken':
      return {
        status: 409,
        detail: 'an account with this e-mail address already exists: sign in with /authorization/login/email',
      };
    case 'phone_taken':
      return {
        status: 409,
        detail:
          'an account with this phone number already exists: sign in with /authorization/login/phone/number',
      };
    case 'password_rejected':
      // The policy's own words: which rule the password broke.
      return { status: 400, detail: `"hash_password": ${err.message}` };
    case 'unavailable':
      return isRegisteredWithoutTokens(err) ? { status: 503, detail: err.message } : undefined;
    default:
      return undefined;
  }
}

/** The failures every login route shares (http/failure.ts), in this profile's words. */
function fromFailure(failure: LoginFailure, words: RouteWords): DetailFailure {
  const status = FAILURE_STATUS[failure.kind];
  switch (failure.kind) {
    case 'bad_input':
      return { status, detail: words.badInput };
    case 'malformed_json':
      return { status, detail: 'the request body is not valid JSON' };
    case 'too_large':
      return { status, detail: 'the request body is too large' };
    case 'unsupported_media_type':
      return { status, detail: 'the request body must be JSON (Content-Type: application/json)' };
    case 'invalid_credentials':
      return { status, detail: words.invalidCredentials };
    case 'throttled':
      return {
        status,
        detail: `too many failed sign-in attempts; wait ${seconds(failure.retryAfterS)} before trying again`,
        retryAfterS: failure.retryAfterS,
      };
    case 'unavailable':
      return { status, detail: UNAVAILABLE };
    case 'internal':
      return { status, detail: INTERNAL };
  }
}

/** Our own checks of a body: the field-naming message they made. */
function fromBadBody(err: unknown): DetailFailure | undefined {
  if (err instanceof BadField) return { status: 400, detail: err.message };
  const validation = (err as { validation?: unknown } | null)?.validation;
  if (validation !== undefined && err instanceof Error) return { status: 400, detail: err.message };
  return undefined;
}

/** What a route answers for `err`. */
export function authorizationFailure(err: unknown, words: RouteWords): DetailFailure {
  return (isPropuskError(err) ? fromCode(err) : fromBadBody(err)) ?? fromFailure(classifyFailure(err), words);
}

/** One route's error handler: every failure, Fastify's own included, as `{detail}`. */
export function authorizationErrorHandler(words: RouteWords) {
  return function handleAuthorizationError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
    const failure = authorizationFailure(err, words);
    if (failure.status === 503) {
      const cause = isPropuskError(err) ? err.details?.cause : undefined;
      req.log.warn({ reason: err.message, cause }, 'authorization: dependency unavailable');
    } else if (failure.status >= 500) req.log.error({ err }, 'authorization request failed');
    if (failure.retryAfterS !== undefined) void reply.header('retry-after', String(failure.retryAfterS));
    return reply.code(failure.status).send(detailBody(failure.detail));
  };
}
