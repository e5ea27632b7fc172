import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError } from '@propusk/contracts';
import { V2_MESSAGES, v2Reply, type V2Reply } from './replies.js';

/**
 * Every v2 error as `{"code": <status>, "message": "..."}` (document 003's encoding), never
 * Fastify's default body: the client's 4xx as Fastify found it (oversized 413, otherwise 400),
 * 503 when Redis or NATS is down, 500 for anything else (logged, not shown).
 */
export function v2ErrorHandler() {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    let r: V2Reply;
    if (isPropuskError(err) && err.status >= 500) {
      req.log.warn({ code: err.code }, 'v2 request failed: dependency unavailable');
      r = v2Reply(503, V2_MESSAGES.unavailable);
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      r =
        err.statusCode === 413
          ? v2Reply(413, V2_MESSAGES.tooLarge)
          : v2Reply(err.statusCode, V2_MESSAGES.badRequest);
    } else {
      req.log.error({ err }, 'v2 request failed');
      r = v2Reply(500, V2_MESSAGES.internal);
    }
    return reply.code(r.status).send(r.body);
  };
}
