import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAbsoluteUrl, OAuthCore, redirectWith, type OAuthClient, type OAuthControls } from './oauth.js';
import { createApp, listenLocal, type ListenOptions, randomToken, stringFields } from './util.js';

/**
 * VK ID (OAuth 2.1, id.vk.com) stand-in: `GET /authorize`, `POST /oauth2/auth`,
 * `POST /oauth2/user_info`. PKCE S256 is mandatory, codes are bound to a device_id.
 */

export interface VkUser {
  user_id: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  avatar: string;
  sex: number;
  verified: boolean;
  birthday: string;
}

export interface VkStandInOptions extends ListenOptions {
  clientId?: string;
  /** VK ID apps also have a secret (not needed with PKCE); kept for symmetry. */
  clientSecret?: string;
  redirectUris?: string[];
  user?: Partial<VkUser>;
}

export type VkStandIn = OAuthControls<VkUser>;

const CODE_TTL_SECONDS = 600;
const TOKEN_TTL_SECONDS = 3600;
const DEFAULT_SCOPE = 'vkid.personal_info';

function defaultVkUser(): VkUser {
  return {
    user_id: '1234567890',
    first_name: 'Иван',
    last_name: 'Петров',
    email: 'ivan.petrov@vk.test',
    phone: '79991234567',
    avatar: 'https://sun1-00.userapi.com/s/v1/ig2/avatar.jpg?size=200x200',
    sex: 2,
    verified: false,
    birthday: '01.01.1990',
  };
}

export async function startVkStandIn(options: VkStandInOptions = {}): Promise<VkStandIn> {
  const clientId = options.clientId ?? '51234567';
  const clientSecret = options.clientSecret ?? randomToken(15);
  const core = new OAuthCore<VkUser>(defaultVkUser, CODE_TTL_SECONDS, TOKEN_TTL_SECONDS);
  const client: OAuthClient = { clientId, clientSecret };
  if (options.redirectUris) client.redirectUris = options.redirectUris;
  core.addClient(client);
  if (options.user) core.setUser(options.user);

  function vkError(reply: FastifyReply, status: number, error: string, description: string) {
    return reply.code(status).send({ error, error_description: description });
  }

  async function authorizeRoute(request: FastifyRequest, reply: FastifyReply) {
    const q = stringFields(request.query);
    if (q.response_type !== 'code')
      return vkError(reply, 400, 'invalid_request', 'response_type must be code');
    const known = q.client_id ? core.clients.get(q.client_id) : undefined;
    if (!known) return vkError(reply, 400, 'invalid_client', 'client_id is unknown');
    // Never redirect to an unchecked URI: refusals before this point answer JSON instead.
    if (!isAbsoluteUrl(q.redirect_uri) || !core.redirectAllowed(known, q.redirect_uri)) {
      return vkError(reply, 400, 'invalid_request', 'redirect_uri is missing or not trusted');
    }
    if (!q.state) return vkError(reply, 400, 'invalid_request', 'state is required');
    if (!q.code_challenge) return vkError(reply, 400, 'invalid_request', 'code_challenge is required');
    if ((q.code_challenge_method ?? '').toLowerCase() !== 's256') {
      return vkError(reply, 400, 'invalid_request', 'code_challenge_method must be s256');
    }
    if (core.takeDenial()) {
      return reply.redirect(
        redirectWith(q.redirect_uri, {
          error: 'access_denied',
          error_description: 'User denied access',
          state: q.state,
        }),
      );
    }
    const grant = core.issueCode(
      {
        clientId: known.clientId,
        redirectUri: q.redirect_uri,
        state: q.state,
        scope: q.scope ?? DEFAULT_SCOPE,
        codeChallenge: q.code_challenge,
        codeChallengeMethod: 's256',
        deviceId: randomToken(48),
      },
      `vk2.a.${randomToken(48)}`,
    );
    return reply.redirect(
      redirectWith(q.redirect_uri, {
        code: grant.code,
        state: q.state,
        device_id: grant.deviceId,
        expires_in: String(CODE_TTL_SECONDS),
        type: 'code_v2',
      }),
    );
  }

  async function tokenRoute(request: FastifyRequest, reply: FastifyReply) {
    const b = { ...stringFields(request.query), ...stringFields(request.body) };
    if (b.grant_type !== 'authorization_code') {
      return vkError(reply, 400, 'unsupported_grant_type', 'grant_type must be authorization_code');
    }
    if (!b.client_id || !core.clients.has(b.client_id))
      return vkError(reply, 401, 'invalid_client', 'client_id is unknown');
    for (const field of ['code', 'code_verifier', 'device_id', 'redirect_uri', 'state']) {
      if (!b[field]) return vkError(reply, 400, 'invalid_request', `${field} is required`);
    }
    const found = core.findCode(b.code, b.client_id);
    if ('reason' in found) return vkError(reply, 400, 'invalid_grant', found.reason);
    const { grant } = found;
    if (grant.redirectUri !== b.redirect_uri)
      return vkError(reply, 400, 'invalid_grant', 'redirect_uri does not match');
    if (grant.deviceId !== b.device_id)
      return vkError(reply, 400, 'invalid_grant', 'device_id does not match');
    const pkce = core.pkceProblem(grant, b.code_verifier);
    if (pkce) return vkError(reply, 400, 'invalid_grant', pkce);
    grant.used = true;
    const token = core.issueToken(grant.clientId, grant.user, grant.scope, 'vk2.a.');
    return reply.send({
      access_token: token.accessToken,
      refresh_token: token.refreshToken,
      id_token: idToken(grant.user.user_id, grant.clientId, clientSecret),
      token_type: 'Bearer',
      expires_in: TOKEN_TTL_SECONDS,
      user_id: Number(grant.user.user_id),
      state: b.state,
      scope: grant.scope,
    });
  }

  async function userInfoRoute(request: FastifyRequest, reply: FastifyReply) {
    const b = { ...stringFields(request.query), ...stringFields(request.body) };
    if (!b.client_id) return vkError(reply, 400, 'invalid_request', 'client_id is required');
    const token = core.findToken(b.access_token);
    if (!token) return vkError(reply, 401, 'invalid_token', 'access token is missing, invalid or expired');
    if (token.clientId !== b.client_id) {
      return vkError(reply, 401, 'invalid_token', 'access token was issued to another client');
    }
    return reply.send({ user: visibleFields(token.user, token.scope) });
  }

  const app = await createApp();
  // VK answers its errors with HTTP 200 and an error object; clients must not trust the status.
  core.installHooks(app, () => ({
    status: 200,
    body: { error: 'server_error', error_description: 'Internal server error' },
  }));
  app.get('/authorize', authorizeRoute);
  app.post('/oauth2/auth', tokenRoute);
  app.post('/oauth2/user_info', userInfoRoute);
  const url = await listenLocal(app, options.port);
  return core.controls({
    app,
    url,
    clientId,
    clientSecret,
    tokenPrefix: 'vk2.a.',
    defaultScope: `${DEFAULT_SCOPE} email phone`,
  });
}

/** VK shares e-mail and phone only when the matching scope was granted. */
function visibleFields(user: VkUser, scope: string): Partial<VkUser> {
  const scopes = new Set(scope.split(/[\s,]+/));
  const { email, phone, ...rest } = user;
  return { ...rest, ...(scopes.has('email') ? { email } : {}), ...(scopes.has('phone') ? { phone } : {}) };
}

/** A signed JWT shaped like VK's id_token (HS256 with the app secret; nobody verifies it here). */
function idToken(userId: string, clientId: string, secret: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({
      iss: 'VK',
      sub: Number(userId),
      app: Number(clientId) || clientId,
      iat: now,
      exp: now + TOKEN_TTL_SECONDS,
    }),
  ).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
