import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError } from '@propusk/contracts';
import { ADMIN_MESSAGES, adminReply, type AdminReply } from './replies.js';

/**
 * Every admin-telegram error as `{"message": "..."}` (document 000), never Fastify's default
 * body: the client's 4xx as Fastify found it (oversized 413, otherwise 400), 503 when Redis or
 * NATS is down, 500 for anything else (logged, not shown).
 */
export function adminErrorHandler() {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    let r: AdminReply;
    if (isPropuskError(err) && err.status >= 500) {
      req.log.warn({ code: err.code }, 'admin-telegram request failed: dependency unavailable');
      r = adminReply(503, ADMIN_MESSAGES.unavailable);
    } else if (isPropuskError(err) && err.status === 401) {
      r = adminReply(401, ADMIN_MESSAGES.unauthorized);
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      r =
        err.statusCode === 413
          ? adminReply(413, ADMIN_MESSAGES.tooLarge)
          : adminReply(err.statusCode, ADMIN_MESSAGES.badRequest);
    } else {
      req.log.error({ err }, 'admin-telegram request failed');
      r = adminReply(500, ADMIN_MESSAGES.internal);
    }
    return reply.code(r.status).send(r.body);
  };
}
