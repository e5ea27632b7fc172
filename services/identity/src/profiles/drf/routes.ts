import type { FastifyInstance } from 'fastify';
import { tokenOps } from '@propusk/contracts';
import { registerLoginScope, tokenSubject, type LoginRouteDeps } from '../../http/login-routes.js';
import { parseFormBody } from './form.js';
import { drfFailure } from './errors.js';
import { drfLoginSucceeded, drfRole } from './presenter.js';

/**
 * Document 004, "API Авторизации": `POST api/v1/login/`; the same document spells its other
 * routes under `/api/v1/accounts/…`, so login is served under both spellings.
 */
export const DRF_LOGIN_PATHS = ['/api/v1/login/', '/api/v1/accounts/login/'] as const;

export async function registerDrfRoutes(app: FastifyInstance, deps: LoginRouteDeps): Promise<void> {
  await registerLoginScope(app, deps, {
    profile: 'drf',
    renderFailure: drfFailure,
    setup: (scope) =>
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parseFormBody),
    routes: [
      {
        paths: DRF_LOGIN_PATHS,
        async succeed(login) {
          const subject = tokenSubject(login);
          const { token } = await deps.client.call(tokenOps.issueDrf, subject, {
            requestId: login.requestId,
          });
          return drfLoginSucceeded(token, subject.username, drfRole(login.account.roles));
        },
      },
    ],
  });
}
