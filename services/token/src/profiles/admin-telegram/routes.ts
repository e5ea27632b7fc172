import type { FastifyInstance } from 'fastify';
import type { AdminTelegramService } from '../../admin-telegram/service.js';
import { ignoreBodies } from '../bodies.js';
import { verifiedIdentity } from '../identity-headers.js';
import { adminErrorHandler } from './errors.js';
import { ADMIN_MESSAGES, adminReply } from './replies.js';

export interface AdminTelegramRoutesDeps {
  adminTelegram: AdminTelegramService;
}

/**
 * POST /api/v1/admin/logout (document 000: "При выходе из хранилища пользовательских сессий
 * удаляется Access Token"): deletes the access session of the token the gateway verified and
 * revokes its whole family, so the logged-out user cannot refresh either (DESIGN: "the same
 * token is refused afterwards"). Without a verified admin-telegram access token, or with one
 * that died meanwhile: 401. The Authorization header is never read here.
 */
async function logoutRoute(scope: FastifyInstance, deps: AdminTelegramRoutesDeps): Promise<void> {
  ignoreBodies(scope);
  scope.setErrorHandler(adminErrorHandler());
  const unauthorized = adminReply(401, ADMIN_MESSAGES.unauthorized);
  scope.post('/api/v1/admin/logout', async (req, reply) => {
    const identity = verifiedIdentity(req.headers);
    const done =
      identity?.profile === 'admin-telegram' &&
      (await deps.adminTelegram.revokeFamily(identity.token, ['access']));
    const r = done ? adminReply(200, ADMIN_MESSAGES.loggedOut) : unauthorized;
    return reply.code(r.status).send(r.body);
  });
}

export async function registerAdminTelegramRoutes(
  app: FastifyInstance,
  deps: AdminTelegramRoutesDeps,
): Promise<void> {
  await app.register(async (scope) => logoutRoute(scope, deps));
}
