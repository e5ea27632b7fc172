import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError } from '@propusk/contracts';
import { logoutFailure, type EnvelopeRedirects } from './replies.js';

/**
 * Every error of the envelope logout in document 001's failure shape (3002 "logout failure"),
 * with a fitting status: the client's 4xx as Fastify found it (oversized 413, malformed 400),
 * 503 when Redis or NATS is down, 500 for anything else (logged, not shown).
 */
export function envelopeErrorHandler(redirects: EnvelopeRedirects) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    let status: number;
    if (isPropuskError(err) && err.status >= 500) {
      req.log.warn({ code: err.code }, 'envelope logout failed: dependency unavailable');
      status = 503;
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
    } else {
      req.log.error({ err }, 'envelope logout failed');
      status = 500;
    }
    return reply.code(status).send(logoutFailure(redirects));
  };
}
