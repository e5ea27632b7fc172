import { clientIp } from '@propusk/kit';
import type { FastifyInstance } from 'fastify';
import { PasswordLoginBody, type AccountView, type Profile } from '@propusk/contracts';
import type { RpcClient } from '@propusk/kit';
import type { LoginFlow } from '../login/flow.js';
import { loginErrorHandler, type RenderFailure } from './error-handler.js';
import { typeboxValidator } from './login-body.js';

/** What a profile's login routes need: the login flow, and NATS to reach the token service. */
export interface LoginRouteDeps {
  login: LoginFlow;
  client: RpcClient;
}

/** A verified login, handed to the profile to issue its token. */
export interface VerifiedLogin {
  account: AccountView;
  /**
   * The username as the client sent it: it names the account exactly or by its normalised form
   * (`ALICE` for `alice`), so tokens and answers take the account's own username instead.
   */
  username: string;
  requestId: string;
}

export interface LoginRouteSpec {
  /** Paths of one operation (served with and without a trailing slash by kit's router options). */
  paths: readonly string[];
  /** The 200 body for a verified login; throwing answers the profile's failure instead. */
  succeed(login: VerifiedLogin): Promise<unknown>;
  /** Whether the operation admits the account (LoginFlow's `permitted`); all accounts when absent. */
  permitted?: (account: AccountView) => boolean | Promise<boolean>;
}

export interface LoginScopeOptions {
  /** The profile these routes serve (auth.login.* events and metrics). */
  profile: Profile;
  routes: readonly LoginRouteSpec[];
  renderFailure: RenderFailure;
  /** Extra setup of the scope, e.g. a body parser only this profile accepts. */
  setup?: (scope: FastifyInstance) => void;
}

/**
 * Registers a profile's password-login routes in their own Fastify scope (an encapsulated
 * plugin: https://fastify.dev/docs/latest/Reference/Encapsulation/), so the profile's error
 * handler and body parsers apply to its routes only. The body is checked first (contracts'
 * PasswordLoginBody, the login body of documents 001 and 004), then the login flow runs
 * (throttle, then password) with the client's IP.
 */
export async function registerLoginScope(
  app: FastifyInstance,
  deps: LoginRouteDeps,
  options: LoginScopeOptions,
): Promise<void> {
  await app.register(async (scope) => {
    scope.setErrorHandler(loginErrorHandler(options.renderFailure));
    options.setup?.(scope);
    for (const route of options.routes) {
      for (const url of route.paths) {
        scope.post(
          url,
          { schema: { body: PasswordLoginBody }, validatorCompiler: typeboxValidator },
          async (req, reply) => {
            const { username, password } = req.body as PasswordLoginBody;
            const account = await deps.login.verifyPassword({
              by: 'username',
              login: username,
              password,
              ip: clientIp(req),
              profile: options.profile,
              permitted: route.permitted,
            });
            return reply.code(200).send(await route.succeed({ account, username, requestId: req.id }));
          },
        );
      }
    }
  });
}

/** The token service's subject (contract tokenOps `Subject`) for a verified login. */
export function tokenSubject({ account, username }: VerifiedLogin) {
  return { accountId: account.id, username: account.username ?? username, roles: account.roles };
}
