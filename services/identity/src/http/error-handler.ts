import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { FAILURE_STATUS, classifyFailure, type LoginFailure } from './failure.js';

/** A profile's body for a failure; the status is the failure's (FAILURE_STATUS). */
export type RenderFailure = (failure: LoginFailure, req: FastifyRequest) => unknown;

/**
 * The error handler of one profile's scope: every failure of its routes, including Fastify's
 * own (bad JSON, body too large, validation), answered in the profile's shape. A throttled
 * login carries `Retry-After` in seconds (RFC 9110 §10.2.3).
 */
export function loginErrorHandler(render: RenderFailure) {
  return function handleLoginError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
    const failure = classifyFailure(err);
    if (failure.kind === 'internal') req.log.error({ err }, 'login request failed');
    if (failure.kind === 'unavailable') req.log.warn({ reason: err.message }, 'login dependency unavailable');
    if (failure.kind === 'throttled') void reply.header('retry-after', String(failure.retryAfterS));
    return reply.code(FAILURE_STATUS[failure.kind]).send(render(failure, req));
  };
}
