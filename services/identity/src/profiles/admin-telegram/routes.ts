import { clientIp } from '@propusk/kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminTelegramHttp } from '@propusk/contracts';
import type { AdminAuthFlow } from '../../admin-auth/flow.js';
import type { AdminRegistrationFlow } from '../../admin-registration/flow.js';
import { typeboxValidator } from '../../http/login-body.js';
import { adminErrorHandler } from './errors.js';
import { registrationAccepted, tokenPair } from './presenter.js';

/** Document 000's paths (served with and without a trailing slash by kit's router options). */
export const ADMIN_REGISTRATION_CODE_PATH = '/api/v1/admin/registration/code';
export const ADMIN_REGISTRATION_PATH = '/api/v1/admin/registration';
export const ADMIN_AUTH_PATH = '/api/v1/admin/auth';

export interface AdminTelegramRouteDeps {
  registration: AdminRegistrationFlow;
  auth: AdminAuthFlow;
}

const { AuthBody, CodeRequestBody, RegistrationBody, isRefresh } = adminTelegramHttp;

/** The contracts take an address of at most 64 characters; anything longer is not one we can use. */
function ipOf(req: FastifyRequest): string | undefined {
  const ip = clientIp(req);
  return ip && ip.length <= 64 ? ip : undefined;
}

/**
 * Document 000's identity routes in their own Fastify scope (its error handlers apply to them
 * only). Logout is the token service's (`POST /api/v1/admin/logout`).
 */
export async function registerAdminTelegramRoutes(
  app: FastifyInstance,
  deps: AdminTelegramRouteDeps,
): Promise<void> {
  await app.register(async (scope) => {
    scope.post(
      ADMIN_REGISTRATION_CODE_PATH,
      {
        schema: { body: CodeRequestBody },
        validatorCompiler: typeboxValidator,
        errorHandler: adminErrorHandler('send {"username": string, "password": string} and nothing else'),
      },
      async (req, reply) => {
        const { username, password } = req.body as adminTelegramHttp.CodeRequestBody;
        await deps.registration.requestCode({ username, password, ip: ipOf(req), requestId: req.id });
        return reply.code(200).send(registrationAccepted());
      },
    );

    scope.post(
      ADMIN_REGISTRATION_PATH,
      {
        schema: { body: RegistrationBody },
        validatorCompiler: typeboxValidator,
        errorHandler: adminErrorHandler('send {"code": <the 6-digit code from Telegram>} and nothing else'),
      },
      async (req, reply) => {
        const { code } = req.body as adminTelegramHttp.RegistrationBody;
        await deps.registration.complete({ code, ip: ipOf(req), requestId: req.id });
        return reply.code(200).send(registrationAccepted());
      },
    );

    scope.post(
      ADMIN_AUTH_PATH,
      {
        schema: { body: AuthBody },
        validatorCompiler: typeboxValidator,
        errorHandler: adminErrorHandler(
          'send either {"username": string, "password": string} or {"refresh_token": string}',
        ),
      },
      async (req, reply) => {
        const body = req.body as adminTelegramHttp.AuthBody;
        const pair = isRefresh(body)
          ? await deps.auth.refresh({ refreshToken: body.refresh_token, requestId: req.id })
          : await deps.auth.login({ ...body, ip: ipOf(req), requestId: req.id });
        // Tokens are never stored by caches on the way (RFC 6749 §5.1).
        return reply.code(200).header('cache-control', 'no-store').send(tokenPair(pair));
      },
    );
  });
}
