import type { FastifyInstance } from 'fastify';
import { tokenOps } from '@propusk/contracts';
import {
  registerLoginScope,
  tokenSubject,
  type LoginRouteDeps,
  type VerifiedLogin,
} from '../../http/login-routes.js';
import { envelopeFailure } from './errors.js';
import { envelopeToken, isEnvelopeAdmin } from './presenter.js';

/** Document 001: "POST Admin Login" and "POST User Login". */
export const ENVELOPE_ADMIN_LOGIN_PATH = '/api/v1/auth/admin/';
export const ENVELOPE_USER_LOGIN_PATH = '/api/v1/auth/user/';

export async function registerEnvelopeRoutes(app: FastifyInstance, deps: LoginRouteDeps): Promise<void> {
  async function issue(login: VerifiedLogin) {
    const { token } = await deps.client.call(tokenOps.issueEnvelope, tokenSubject(login), {
      requestId: login.requestId,
    });
    return envelopeToken(token);
  }
  await registerLoginScope(app, deps, {
    profile: 'envelope',
    renderFailure: envelopeFailure,
    routes: [
      {
        paths: [ENVELOPE_ADMIN_LOGIN_PATH],
        // DESIGN, 001: a right password without the role is answered exactly like a wrong one.
        permitted: (account) => isEnvelopeAdmin(account.roles),
        succeed: issue,
      },
      { paths: [ENVELOPE_USER_LOGIN_PATH], succeed: issue },
    ],
  });
}
