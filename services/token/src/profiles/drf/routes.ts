import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IntrospectionService } from '../../introspection/service.js';
import { verifiedIdentity } from '../identity-headers.js';
import { ignoreBodies } from '../bodies.js';
import { addFormParser, usernameFromBody } from './body.js';
import { drfBadBody, drfErrorHandler } from './errors.js';
import { DRF_MESSAGES, drfReply, type DrfReply } from './replies.js';

/** Both spellings document 004 uses: `/api/v1/x/` in the URL lines, `/api/v1/accounts/x/` in examples. */
const LOGOUT_PATHS = ['/api/v1/logout/', '/api/v1/accounts/logout/'];
const CHECK_TOKEN_PATHS = ['/api/v1/check_token/', '/api/v1/accounts/check_token/'];

export interface DrfRoutesDeps {
  introspection: IntrospectionService;
}

function send(reply: FastifyReply, r: DrfReply) {
  return reply.code(r.status).send(r.body);
}

/**
 * POST logout: "Аутентификация не требуется (токен можно передать)" — always 200; when the
 * gateway verified a token, that token is revoked first (its session deleted).
 */
async function logoutRoutes(scope: FastifyInstance, deps: DrfRoutesDeps): Promise<void> {
  ignoreBodies(scope);
  scope.setErrorHandler(drfErrorHandler());
  for (const url of LOGOUT_PATHS) {
    scope.post(url, async (req, reply) => {
      const identity = verifiedIdentity(req.headers);
      if (identity) await deps.introspection.revoke(identity.token);
      return send(reply, drfReply(200, DRF_MESSAGES.loggedOut));
    });
  }
}

/**
 * POST check_token: the gateway guarantees a valid drf token; missing identity headers mean
 * no credentials (401, checked first as DRF authenticates before it reads the body), then the
 * body (400), then the match (403 / 200).
 */
async function checkTokenRoutes(scope: FastifyInstance): Promise<void> {
  addFormParser(scope);
  const unauthenticated = drfReply(401, DRF_MESSAGES.notAuthenticated);
  const noUsername = drfReply(400, DRF_MESSAGES.noUsername);
  scope.setErrorHandler(
    drfErrorHandler((req, err) => {
      if (verifiedIdentity(req.headers)?.profile !== 'drf') return unauthenticated;
      // An oversized body keeps its own status; anything unreadable means no username.
      return err.statusCode === 413 ? drfBadBody(req, err) : noUsername;
    }),
  );
  for (const url of CHECK_TOKEN_PATHS) {
    scope.post(url, async (req, reply) => {
      const identity = verifiedIdentity(req.headers);
      if (identity?.profile !== 'drf') return send(reply, unauthenticated);
      const username = usernameFromBody(req.body);
      if (username === undefined) return send(reply, noUsername);
      if (username !== identity.username) return send(reply, drfReply(403, DRF_MESSAGES.usernameMismatch));
      return send(reply, drfReply(200, DRF_MESSAGES.tokenValid, { username: identity.username }));
    });
  }
}

export async function registerDrfRoutes(app: FastifyInstance, deps: DrfRoutesDeps): Promise<void> {
  await app.register(async (scope) => logoutRoutes(scope, deps));
  await app.register(checkTokenRoutes);
}
