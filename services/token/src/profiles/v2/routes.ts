import type { FastifyInstance } from 'fastify';
import type { V2Service } from '../../v2/service.js';
import { ignoreBodies } from '../bodies.js';
import { verifiedToken } from '../identity-headers.js';
import { v2ErrorHandler } from './errors.js';
import { V2_MESSAGES, v2Reply } from './replies.js';

export interface V2RoutesDeps {
  v2: V2Service;
}

/**
 * POST /v2/auth/signout (document 003: "204 — токен аутентификации отвязан от учётной записи
 * пользователя"): revokes the token the gateway verified, 204 with no body; DESIGN: "the token
 * dies". Without a verified v2 token, or with one revoked meanwhile: 401 `{"code": 401, ...}`.
 * The token is verified again here (as a v2 token): the headers say which token, not that it
 * is one. The Authorization header is never read here; any body is ignored.
 */
async function signoutRoute(scope: FastifyInstance, deps: V2RoutesDeps): Promise<void> {
  ignoreBodies(scope);
  scope.setErrorHandler(v2ErrorHandler());
  const unauthorized = v2Reply(401, V2_MESSAGES.unauthorized);
  scope.post('/v2/auth/signout', async (req, reply) => {
    const verified = verifiedToken(req.headers);
    const revoked = verified?.profile === 'v2' && (await deps.v2.revoke(verified.token));
    if (!revoked) return reply.code(unauthorized.status).send(unauthorized.body);
    return reply.code(204).send();
  });
}

export async function registerV2Routes(app: FastifyInstance, deps: V2RoutesDeps): Promise<void> {
  await app.register(async (scope) => signoutRoute(scope, deps));
}
