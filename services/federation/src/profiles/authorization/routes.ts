import type { FastifyInstance, FastifyReply } from 'fastify';
import { authorizationHttp } from '@propusk/contracts';
import type { LinkFlow } from '../../links/flow.js';
import { PROVIDER_IDS, PROVIDER_PATHS, type ProviderId } from '../../providers/provider.js';
import type { SignInFlow, SignInMode } from '../../sign-in/flow.js';
import { bindingCookie, type BindingCookieOptions } from './binding-cookie.js';
import { authorizationErrorHandler } from './errors.js';
import { authorizationBody, callbackBody, frontendLocation, linkBody, tokensBody } from './presenter.js';
import { queryParam } from './query.js';

export interface AuthorizationRoutesDeps {
  flow: LinkFlow;
  signIn: SignInFlow;
  /** OAUTH_FRONTEND_REDIRECT; without it the callback answers its parameters as JSON. */
  frontendRedirect?: string | undefined;
  /** The browser binding cookie's settings (binding-cookie.ts). */
  cookie: BindingCookieOptions;
}

/**
 * Answers carry one-time secrets (a state in the link, codes, tokens): never cached
 * (RFC 6749 §5.1 asks it of token answers; the others deserve the same).
 */
function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store');
}

/**
 * The query strings of the provider routes (contracts' authorizationHttp): each parameter's name
 * and longest value come from these, as the OpenAPI document shows them.
 */
export const PROVIDER_QUERIES = Object.freeze({
  callback: authorizationHttp.CallbackQuery,
  token: authorizationHttp.ProviderTokenQuery,
  signIn: authorizationHttp.ProviderSignInQuery,
});

/** Document 002's `/registration` and `/login` take the provider's token as `access_token`. */
const SIGN_IN_ROUTES: ReadonlyArray<{ path: string; mode: SignInMode }> = [
  { path: 'registration', mode: 'register' },
  { path: 'login', mode: 'login' },
];

/**
 * Document 002, `/{vk, mail.ru, yandex}/{link, get/token, registration, login}` (GET, as
 * documented) and the callback DESIGN adds. Routes of a provider without a client id exist
 * and answer 404, so the answer says why. No HEAD twins: each of these routes changes state
 * (or signs in). `/link` gives the browser its binding cookie, the callback and get/token need
 * it back (binding-cookie.ts), and get/token, the flow's last step, clears it.
 */
function providerRoutes(scope: FastifyInstance, provider: ProviderId, deps: AuthorizationRoutesDeps): void {
  const base = `/${PROVIDER_PATHS[provider]}`;
  const options = { exposeHeadRoute: false } as const;
  const cookie = bindingCookie(PROVIDER_PATHS[provider], deps.cookie);

  scope.get(`${base}/link`, options, async (_req, reply) => {
    const { authorizeUrl, binding } = await deps.flow.link(provider);
    cookie.set(reply, binding);
    return noStore(reply).type('application/json; charset=utf-8').send(linkBody(authorizeUrl));
  });

  scope.get(`${base}/callback`, options, async (req, reply) => {
    const query = PROVIDER_QUERIES.callback;
    const result = await deps.flow.callback(provider, {
      code: queryParam(req.query, query, 'code'),
      state: queryParam(req.query, query, 'state'),
      deviceId: queryParam(req.query, query, 'device_id'),
      error: queryParam(req.query, query, 'error'),
      errorDescription: queryParam(req.query, query, 'error_description'),
      binding: cookie.read(req),
    });
    noStore(reply);
    if (deps.frontendRedirect) return reply.redirect(frontendLocation(deps.frontendRedirect, result), 302);
    return reply.send(callbackBody(result));
  });

  scope.get(`${base}/get/token`, options, async (req, reply) => {
    const binding = cookie.read(req);
    // Set before anything can fail, so an error answer clears it too: the flow ends here.
    cookie.clear(reply);
    const tokens = await deps.flow.token(provider, {
      code: queryParam(req.query, PROVIDER_QUERIES.token, 'code'),
      deviceId: queryParam(req.query, PROVIDER_QUERIES.token, 'device_id'),
      binding,
    });
    return noStore(reply).send(tokensBody(tokens));
  });

  for (const { path, mode } of SIGN_IN_ROUTES) {
    scope.get(`${base}/${path}`, options, async (req, reply) => {
      const pair = await deps.signIn.signIn({
        provider,
        mode,
        accessToken: queryParam(req.query, PROVIDER_QUERIES.signIn, 'access_token') ?? '',
        requestId: req.id,
      });
      return noStore(reply).send(authorizationBody(pair));
    });
  }
}

export async function registerAuthorizationRoutes(
  app: FastifyInstance,
  deps: AuthorizationRoutesDeps,
): Promise<void> {
  await app.register(async (scope) => {
    scope.setErrorHandler(authorizationErrorHandler);
    for (const provider of PROVIDER_IDS) providerRoutes(scope, provider, deps);
  });
}
