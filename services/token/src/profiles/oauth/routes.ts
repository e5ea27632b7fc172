import { clientIp } from '@propusk/kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IntrospectionService } from '../../introspection/service.js';
import { basicCredentials } from '../../oauth-clients/basic.js';
import { bodyNamesClient, postCredentials, type ClientCredentials } from '../../oauth-clients/credentials.js';
import type { ClientAuthGuard } from '../../oauth-clients/throttle.js';
import { addFormParser } from '../form.js';
import { hasRepeats, tokenParams } from './body.js';
import { oauthErrorHandler } from './errors.js';
import { INVALID_CLIENT, NO_STORE, OAUTH_REPLIES, sendOAuthError, tooManyFailures } from './replies.js';

export const INTROSPECTION_PATH = '/oauth2/introspect';
export const REVOCATION_PATH = '/oauth2/revoke';

export interface OAuthRoutesDeps {
  introspection: IntrospectionService;
  /** The configured callers (INTROSPECTION_CLIENTS) behind the failure budgets. */
  clients: ClientAuthGuard;
}

/**
 * RFC 7662 introspection and RFC 7009 revocation for internal callers. The gateway proxies
 * both without a token check: the caller authenticates here with its client credentials
 * (INTROSPECTION_CLIENTS) by one of the two methods of RFC 6749 §2.3.1 — HTTP Basic
 * (`client_secret_basic`, checked before the body is read) or `client_id` and `client_secret`
 * in the form (`client_secret_post`, the default of clients such as openid-client). Failed
 * authentications are throttled per client id and client address (oauth-clients/throttle.ts).
 */
async function oauthRoutes(scope: FastifyInstance, deps: OAuthRoutesDeps): Promise<void> {
  // Both RFCs send `application/x-www-form-urlencoded` (RFC 7662 §2.1, RFC 7009 §2.1) only.
  scope.removeAllContentTypeParsers();
  addFormParser(scope);
  scope.setErrorHandler(oauthErrorHandler());
  const clientOf = new WeakMap<FastifyRequest, string>();

  /**
   * Credentials no method could read (none, another scheme, bad base64) name no client and test
   * no secret: 401 uncounted. Presented ones go through the guard: the client, or the answer.
   */
  async function authenticate(
    req: FastifyRequest,
    reply: FastifyReply,
    presented: ClientCredentials | undefined,
  ): Promise<FastifyReply | undefined> {
    if (presented === undefined) return sendOAuthError(reply, INVALID_CLIENT);
    const verdict = await deps.clients.authenticate(presented, clientIp(req));
    if (verdict.outcome === 'authenticated') {
      clientOf.set(req, verdict.client);
      return undefined;
    }
    if (verdict.outcome === 'refused') return sendOAuthError(reply, INVALID_CLIENT);
    // The id is what the caller sent (hashed in the counters; configured ids have at most 64
    // characters, so no more is logged); never the secret.
    req.log.warn(
      { client: presented.id.slice(0, 64), retryAfter: verdict.retryAfterS },
      'client authentication throttled',
    );
    return sendOAuthError(reply, tooManyFailures(verdict.retryAfterS));
  }

  // RFC 7662 §2.1: "the endpoint MUST also require some form of authorization" (token
  // scanning); RFC 7009 §2.1: the server "first validates the client credentials".
  // An Authorization header is checked before the body is read.
  scope.addHook('onRequest', async (req, reply) => {
    if (req.headers.authorization === undefined) return;
    return authenticate(req, reply, basicCredentials(req.headers.authorization));
  });
  // Without one, the credentials are the form's (client_secret_post); with one, the form must
  // carry none (RFC 6749 §2.3: one method per request).
  scope.addHook('preHandler', async (req, reply) => {
    if (hasRepeats(req.body)) return sendOAuthError(reply, OAUTH_REPLIES.repeated);
    if (clientOf.has(req)) {
      if (bodyNamesClient(req.body)) return sendOAuthError(reply, OAUTH_REPLIES.twoMethods);
      return;
    }
    return authenticate(req, reply, postCredentials(req.body));
  });

  /** RFC 7662 §2.2: `active` and the token's members; an inactive token answers `active` alone. */
  scope.post(INTROSPECTION_PATH, async (req, reply) => {
    const params = tokenParams(req.body);
    if (!params.ok) return sendOAuthError(reply, params.reply);
    const result = await deps.introspection.introspect(params.token);
    return reply.code(200).headers(NO_STORE).send(result);
  });

  /**
   * RFC 7009 §2.2: 200 whether the token was revoked now, unknown, invalid or revoked before
   * ("invalid tokens do not cause an error response"); the body is empty. Every configured
   * caller is trusted to revoke any token: tokens are not issued to OAuth clients here, so
   * §2.1's "issued to the client" check has nothing to compare.
   */
  scope.post(REVOCATION_PATH, async (req, reply) => {
    const params = tokenParams(req.body);
    if (!params.ok) return sendOAuthError(reply, params.reply);
    const { revoked } = await deps.introspection.revoke(params.token);
    // Which caller revoked, for the audit trail; never the token.
    req.log.info({ client: clientOf.get(req), revoked }, 'token revocation');
    return reply.code(200).headers(NO_STORE).send();
  });
}

export async function registerOAuthRoutes(app: FastifyInstance, deps: OAuthRoutesDeps): Promise<void> {
  await app.register(async (scope) => oauthRoutes(scope, deps));
}
