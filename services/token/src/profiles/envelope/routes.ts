import type { FastifyInstance } from 'fastify';
import type { IntrospectionService } from '../../introspection/service.js';
import { verifiedIdentity } from '../identity-headers.js';
import { envelopeErrorHandler } from './errors.js';
import { logoutFailure, logoutSuccess, type EnvelopeRedirects } from './replies.js';

export interface EnvelopeRoutesDeps {
  introspection: IntrospectionService;
  redirects: EnvelopeRedirects;
}

/**
 * GET /api/v1/auth/logout/ (document 001): revokes the token the gateway verified (DESIGN:
 * "logout revokes the presented token") and answers the redirect; with no verified token, or
 * one that was revoked meanwhile, HTTP 401 with the failed redirect and error 3002.
 */
async function logoutRoute(scope: FastifyInstance, deps: EnvelopeRoutesDeps): Promise<void> {
  scope.setErrorHandler(envelopeErrorHandler(deps.redirects));
  // No automatic HEAD twin: a HEAD must not revoke anything.
  scope.get('/api/v1/auth/logout/', { exposeHeadRoute: false }, async (req, reply) => {
    const identity = verifiedIdentity(req.headers);
    const { revoked } = identity ? await deps.introspection.revoke(identity.token) : { revoked: false };
    if (!revoked) return reply.code(401).send(logoutFailure(deps.redirects));
    return reply.code(200).send(logoutSuccess(deps.redirects));
  });
}

export async function registerEnvelopeRoutes(app: FastifyInstance, deps: EnvelopeRoutesDeps): Promise<void> {
  await app.register(async (scope) => logoutRoute(scope, deps));
}
