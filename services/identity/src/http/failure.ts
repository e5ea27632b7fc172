import type { FastifyError } from 'fastify';
import { isPropuskError } from '@propusk/contracts';

/**
 * Why a login request failed, independent of any profile: each profile's errors.ts renders
 * these in its own shape. Every error a route or Fastify's parsing raises maps to one kind, so
 * no request ends in Fastify's default error body.
 */
export type LoginFailure =
  | { kind: 'bad_input' }
  | { kind: 'malformed_json' }
  | { kind: 'too_large' }
  | { kind: 'unsupported_media_type' }
  | { kind: 'invalid_credentials' }
  | { kind: 'throttled'; retryAfterS: number }
  | { kind: 'unavailable' }
  | { kind: 'internal' };

/** Rejections of Fastify's body parsing (https://fastify.dev/docs/latest/Reference/Errors/). */
function parseFailure(err: FastifyError): LoginFailure | undefined {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) return { kind: 'too_large' };
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) {
    return { kind: 'unsupported_media_type' };
  }
  // An empty JSON body sent no login or password: bad input, not broken JSON. Malformed JSON
  // is FST_ERR_CTP_INVALID_JSON_BODY, or a SyntaxError with statusCode 400 from the parser.
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return { kind: 'bad_input' };
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return { kind: 'malformed_json' };
  if (err instanceof SyntaxError && err.statusCode === 400) return { kind: 'malformed_json' };
  if (err.validation || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) {
    return { kind: 'bad_input' };
  }
  return undefined;
}

export function classifyFailure(err: unknown): LoginFailure {
  if (isPropuskError(err)) {
    switch (err.code) {
      case 'invalid_credentials':
        return { kind: 'invalid_credentials' };
      case 'too_many_attempts': {
        const retryAfter = Number(err.details?.retryAfter);
        return {
          kind: 'throttled',
          retryAfterS: Number.isInteger(retryAfter) && retryAfter > 0 ? retryAfter : 1,
        };
      }
      // A dependency (Redis, Postgres, the token service) is down, slow or answered nonsense.
      case 'unavailable':
      case 'timeout':
      case 'invalid_reply':
        return { kind: 'unavailable' };
      default:
        return { kind: 'internal' };
    }
  }
  if (typeof err !== 'object' || err === null) return { kind: 'internal' };
  return parseFailure(err as FastifyError) ?? { kind: 'internal' };
}

/** The HTTP status of a failure; profiles keep it and choose the body. */
export const FAILURE_STATUS: Readonly<Record<LoginFailure['kind'], number>> = {
  bad_input: 400,
  malformed_json: 400,
  too_large: 413,
  unsupported_media_type: 415,
  invalid_credentials: 401,
  throttled: 429,
  unavailable: 503,
  internal: 500,
};
