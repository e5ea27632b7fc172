import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError } from '@propusk/contracts';
import { DRF_MESSAGES, drfReply, type DrfReply } from './replies.js';

/** Fastify's codes for bodies it could not take (fastify/lib/errors.js). */
const TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE';
const UNSUPPORTED = 'FST_ERR_CTP_INVALID_MEDIA_TYPE';

/** What a drf route answers for a body Fastify refused before the handler ran. */
export type BadBodyReply = (req: FastifyRequest, err: FastifyError) => DrfReply;

/** The default: DRF's own status and text (413, 415, or 400 "malformed"). */
export const drfBadBody: BadBodyReply = (_req, err) => {
  if (err.code === TOO_LARGE) return drfReply(413, DRF_MESSAGES.tooLarge);
  if (err.code === UNSUPPORTED) return drfReply(415, DRF_MESSAGES.unsupportedMediaType);
  return drfReply(400, DRF_MESSAGES.malformed);
};

/**
 * Every drf error in document 004's shape, never Fastify's default body: client errors through
 * `badBody`, Redis or NATS down as 503, anything else 500 (logged, not shown).
 */
export function drfErrorHandler(badBody: BadBodyReply = drfBadBody) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    let r: DrfReply;
    if (isPropuskError(err) && err.status >= 500) {
      req.log.warn({ code: err.code }, 'drf request failed: dependency unavailable');
      r = drfReply(503, DRF_MESSAGES.unavailable);
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      r = badBody(req, err);
    } else {
      req.log.error({ err }, 'drf request failed');
      r = drfReply(500, DRF_MESSAGES.internal);
    }
    return reply.code(r.status).send(r.body);
  };
}
