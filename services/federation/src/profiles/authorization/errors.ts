import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError, type PropuskError } from '@propusk/contracts';
import { isRegisteredWithoutTokens } from '../../sign-in/errors.js';
import { detailBody } from './presenter.js';

const UNAVAILABLE = 'Service temporarily unavailable, retry later';
const INTERNAL = 'Internal server error';

/**
 * A PropuskError as `{"detail": "..."}` (DESIGN, 002): refusals (4xx) with their status and
 * words; a failing provider 502 with ours (they name the provider, never echo its body); a
 * registration that made the account but no tokens 503 with the way in; a dependency down
 * (Redis, identity, token: `unavailable`, `timeout`, `invalid_reply`) 503 in general words;
 * `internal` 500, logged, not shown.
 */
function answerPropuskError(err: PropuskError, req: FastifyRequest, reply: FastifyReply) {
  if (err.status < 500) return reply.code(err.status).send(detailBody(err.message));
  if (err.code === 'provider_unavailable') {
    req.log.warn({ code: err.code, reason: err.message }, 'provider call failed');
    return reply.code(502).send(detailBody(err.message));
  }
  if (err.code === 'internal') {
    req.log.error({ code: err.code, reason: err.message }, 'federation request failed');
    return reply.code(500).send(detailBody(INTERNAL));
  }
  if (isRegisteredWithoutTokens(err)) {
    req.log.warn({ code: err.code, cause: err.details?.cause }, 'account registered, tokens not issued');
    return reply.code(503).send(detailBody(err.message));
  }
  req.log.warn({ code: err.code, reason: err.message }, 'federation dependency unavailable');
  return reply.code(503).send(detailBody(UNAVAILABLE));
}

/**
 * Every failure of document 002's provider routes as `{"detail": "..."}` with a fitting
 * status; the client's 4xx as Fastify found it; 500 (logged, not shown) for anything else.
 * Logs carry codes and our messages only: never a state, code or token.
 */
export function authorizationErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (isPropuskError(err)) return answerPropuskError(err, req, reply);
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return reply.code(err.statusCode).send(detailBody(err.message));
  }
  req.log.error({ err }, 'federation request failed');
  return reply.code(500).send(detailBody(INTERNAL));
}
