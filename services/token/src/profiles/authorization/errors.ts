import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError } from '@propusk/contracts';
import { AUTHORIZATION_MESSAGES, detailReply, type DetailReply } from './replies.js';

/**
 * Every error of the validate routes as `{"detail": "..."}` (DESIGN, 002): a refused token 401,
 * the client's 4xx as Fastify found it, 503 when Redis is down (never `false` or a 401: the
 * token may be fine), 500 for anything else (logged, not shown).
 */
export function authorizationErrorHandler() {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    let r: DetailReply;
    if (isPropuskError(err) && err.status >= 500) {
      req.log.warn({ code: err.code }, 'authorization request failed: dependency unavailable');
      r = detailReply(503, AUTHORIZATION_MESSAGES.unavailable);
    } else if (isPropuskError(err) && err.status === 401) {
      r = detailReply(401, AUTHORIZATION_MESSAGES.refreshInvalid);
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      r = detailReply(err.statusCode, AUTHORIZATION_MESSAGES.badRequest);
    } else {
      req.log.error({ err }, 'authorization request failed');
      r = detailReply(500, AUTHORIZATION_MESSAGES.internal);
    }
    return reply.code(r.status).send(r.body);
  };
}
