import type { FastifyInstance, FastifyReply } from 'fastify';
import { authorizationHttp, checker } from '@propusk/contracts';
import type { AuthorizationService } from '../../authorization/service.js';
import { authorizationErrorHandler } from './errors.js';
import { AUTHORIZATION_MESSAGES, detailReply, refreshBody } from './replies.js';

export interface AuthorizationRoutesDeps {
  authorization: AuthorizationService;
}

/**
 * The query strings of `/validate/jwt/access` and `/validate/jwt/refresh` (contracts'
 * authorizationHttp): the token given exactly once and non-empty. The token travels only there
 * (document 002: "Принимает параметр: access / refresh"): the Authorization header is not read,
 * so a request never carries two tokens that could disagree.
 */
export const VALIDATE_QUERIES = Object.freeze({
  access: authorizationHttp.ValidateAccessQuery,
  refresh: authorizationHttp.ValidateRefreshQuery,
});

/** RFC 6749 §5.1: responses carrying tokens are not cached. */
function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store');
}

/**
 * GET /validate/jwt/access?access=<token> (document 002: "Пример ответа: 'false'"): 200 with
 * the JSON literal `true` for a live authorization access token, `false` for anything else
 * (missing, a refresh token, expired, revoked, forged, another profile's token).
 */
async function accessRoute(scope: FastifyInstance, deps: AuthorizationRoutesDeps): Promise<void> {
  scope.get('/validate/jwt/access', async (req, reply) => {
    const token = checker(VALIDATE_QUERIES.access).Check(req.query) ? req.query.access : undefined;
    const valid = token !== undefined && (await deps.authorization.live(token, ['access'])) !== undefined;
    return noStore(reply).code(200).type('application/json; charset=utf-8').send(JSON.stringify(valid));
  });
}

/**
 * GET /validate/jwt/refresh?refresh=<token>: 200 `{access, email}` with a new access token of
 * the refresh token's session; a token that is not a live authorization refresh token → 401,
 * no parameter → 400. No HEAD twin: a HEAD must not mint tokens.
 */
async function refreshRoute(scope: FastifyInstance, deps: AuthorizationRoutesDeps): Promise<void> {
  const missing = detailReply(400, AUTHORIZATION_MESSAGES.refreshMissing);
  scope.get('/validate/jwt/refresh', { exposeHeadRoute: false }, async (req, reply) => {
    const token = checker(VALIDATE_QUERIES.refresh).Check(req.query) ? req.query.refresh : undefined;
    if (token === undefined) return reply.code(missing.status).send(missing.body);
    // `invalid_token` (401) reaches the error handler, which answers it in this profile's shape.
    const r = await deps.authorization.refresh(token);
    return noStore(reply).code(200).send(refreshBody(r));
  });
}

export async function registerAuthorizationRoutes(
  app: FastifyInstance,
  deps: AuthorizationRoutesDeps,
): Promise<void> {
  await app.register(async (scope) => {
    scope.setErrorHandler(authorizationErrorHandler());
    await accessRoute(scope, deps);
    await refreshRoute(scope, deps);
  });
}
