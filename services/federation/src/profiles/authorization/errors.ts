import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError } from '@propusk/contracts';
import { isFederationError } from '../../errors.js';
import { detailBody } from './presenter.js';

/**
 * Every failure of document 002's provider routes as `{"detail": "..."}` (DESIGN, 002) with a
 * fitting status: the flow's own errors with theirs (400/401/404, 502 for a failing provider),
 * 503 when Redis is down, the client's 4xx as Fastify found it, 500 (logged, not shown) for
 * anything else. Logs carry codes and our messages only: never a state, code or token.
 */
export function authorizationErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (isFederationError(err)) {
    if (err.status >= 500) req.log.warn({ code: err.code, reason: err.message }, 'provider call failed');
    return reply.code(err.status).send(detailBody(err.message));
  }
  if (isPropuskError(err) && err.status >= 500) {
    req.log.warn({ code: err.code }, 'federation dependency unavailable');
    return reply.code(503).send(detailBody('Service temporarily unavailable, retry later'));
  }
  if (isPropuskError(err)) return reply.code(err.status).send(detailBody(err.message));
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return reply.code(err.statusCode).send(detailBody(err.message));
  }
  req.log.error({ err }, 'federation request failed');
  return reply.code(500).send(detailBody('Internal server error'));
}
