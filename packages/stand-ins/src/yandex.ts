import { randomInt } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  isAbsoluteUrl,
  OAuthCore,
  redirectWith,
  tokenFromHeader,
  type OAuthClient,
  type OAuthControls,
} from './oauth.js';
import {
  createApp,
  listenLocal,
  type ListenOptions,
  parseBasicAuth,
  randomHex,
  stringFields,
} from './util.js';

/**
 * Yandex ID stand-in. One server plays both oauth.yandex.ru (`GET /authorize`, `POST /token`)
 * and login.yandex.ru (`GET /info`), so YANDEX_OAUTH_BASE_URL and YANDEX_LOGIN_BASE_URL are equal.
 */

export interface YandexUser {
  id: string;
  login: string;
  first_name: string;
  last_name: string;
  display_name: string;
  real_name: string;
  sex: string;
  default_email: string;
  emails: string[];
  default_phone: { id: number; number: string };
  default_avatar_id: string;
  is_avatar_empty: boolean;
  psuid: string;
}

export interface YandexStandInOptions extends ListenOptions {
  clientId?: string;
  clientSecret?: string;
  /** Yandex apps register their callback; authorize without redirect_uri uses the first one. */
  redirectUris?: string[];
  user?: Partial<YandexUser>;
}

export interface YandexStandIn extends OAuthControls<YandexUser> {
  oauthBaseUrl: string;
  loginBaseUrl: string;
}

const CODE_TTL_SECONDS = 600;
// Yandex tokens live for a year.
const TOKEN_TTL_SECONDS = 31536000;

function defaultYandexUser(): YandexUser {
  return {
    id: '1000034426',
    login: 'ivan.petrov',
    first_name: 'Иван',
    last_name: 'Петров',
    display_name: 'ivan.petrov',
    real_name: 'Иван Петров',
    sex: 'male',
    default_email: 'ivan.petrov@yandex.ru',
    emails: ['ivan.petrov@yandex.ru'],
    default_phone: { id: 12345678, number: '+79991234567' },
    default_avatar_id: '131652443',
    is_avatar_empty: false,
    psuid: '1.AAceCw.tbHgw5DtJ9_zeqPrk-Ba2w.qPWSRC5v2t2IaksPJgnge',
  };
}

export async function startYandexStandIn(options: YandexStandInOptions = {}): Promise<YandexStandIn> {
  const clientId = options.clientId ?? randomHex(16);
  const clientSecret = options.clientSecret ?? randomHex(16);
  const core = new OAuthCore<YandexUser>(defaultYandexUser, CODE_TTL_SECONDS, TOKEN_TTL_SECONDS, syncEmails);
  const client: OAuthClient = { clientId, clientSecret };
  if (options.redirectUris) client.redirectUris = options.redirectUris;
  core.addClient(client);
  if (options.user) core.setUser(options.user);

  function yandexError(reply: FastifyReply, status: number, error: string, description: string) {
    return reply.code(status).send({ error, error_description: description });
  }

  async function authorizeRoute(request: FastifyRequest, reply: FastifyReply) {
    const q = stringFields(request.query);
    const known = q.client_id ? core.clients.get(q.client_id) : undefined;
    if (!known) return yandexError(reply, 400, 'invalid_client', 'Client not found');
    const redirectUri = q.redirect_uri ?? known.redirectUris?.[0];
    if (!isAbsoluteUrl(redirectUri) || !core.redirectAllowed(known, redirectUri)) {
      return yandexError(
        reply,
        400,
        'invalid_request',
        'redirect_uri is missing or not registered for this client',
      );
    }
    if (q.response_type !== 'code')
      return yandexError(reply, 400, 'unsupported_response_type', 'response_type must be code');
    const method = q.code_challenge ? (q.code_challenge_method ?? 'plain') : undefined;
    if (method !== undefined && method !== 'S256' && method !== 'plain') {
      return yandexError(reply, 400, 'invalid_request', 'code_challenge_method must be S256 or plain');
    }
    if (core.takeDenial()) {
      return reply.redirect(
        redirectWith(redirectUri, {
          error: 'access_denied',
          error_description: 'User denied access',
          state: q.state,
        }),
      );
    }
    const grant = core.issueCode(
      {
        clientId: known.clientId,
        redirectUri,
        state: q.state ?? '',
        scope: q.scope ?? '',
        ...(q.code_challenge ? { codeChallenge: q.code_challenge } : {}),
        ...(method ? { codeChallengeMethod: method } : {}),
      },
      uniqueNumericCode(core.codes),
    );
    return reply.redirect(redirectWith(redirectUri, { code: grant.code, state: q.state }));
  }

  /** Client authentication: form fields or HTTP basic, as Yandex accepts either. */
  function authenticate(request: FastifyRequest, b: Record<string, string>): OAuthClient | string {
    const basic = parseBasicAuth(request.headers.authorization);
    const id = basic?.user ?? b.client_id;
    const secret = basic?.pass ?? b.client_secret;
    const known = id ? core.clients.get(id) : undefined;
    if (!known) return 'Client not found';
    if (!secret || secret !== known.clientSecret) return 'Wrong client secret';
    return known;
  }

  async function tokenRoute(request: FastifyRequest, reply: FastifyReply) {
    const b = stringFields(request.body);
    const authenticated = authenticate(request, b);
    if (typeof authenticated === 'string') return yandexError(reply, 401, 'invalid_client', authenticated);
    if (b.grant_type !== 'authorization_code') {
      return yandexError(reply, 400, 'unsupported_grant_type', 'grant_type must be authorization_code');
    }
    const found = core.findCode(b.code, authenticated.clientId);
    if ('reason' in found) return yandexError(reply, 400, 'invalid_grant', found.reason);
    const pkce = core.pkceProblem(found.grant, b.code_verifier);
    if (pkce) return yandexError(reply, 400, 'invalid_grant', pkce);
    found.grant.used = true;
    const token = core.issueToken(found.grant.clientId, found.grant.user, found.grant.scope, 'y0_');
    return reply.send({
      token_type: 'bearer',
      access_token: token.accessToken,
      expires_in: TOKEN_TTL_SECONDS,
      refresh_token: token.refreshToken,
    });
  }

  async function infoRoute(request: FastifyRequest, reply: FastifyReply) {
    const q = stringFields(request.query);
    if (q.format && q.format !== 'json')
      return yandexError(reply, 400, 'invalid_request', 'only format=json is supported here');
    const presented = tokenFromHeader(request.headers.authorization, ['OAuth', 'Bearer']) ?? q.oauth_token;
    const token = core.findToken(presented);
    if (!token) return yandexError(reply, 401, 'invalid_token', 'OAuth token is missing, invalid or expired');
    // Yandex answers for any valid token; the client_id field is how callers spot foreign tokens.
    return reply.send({ ...token.user, client_id: token.clientId });
  }

  const app = await createApp();
  core.installHooks(app, () => ({
    status: 400,
    body: { error: 'server_error', error_description: 'Internal error' },
  }));
  app.get('/authorize', authorizeRoute);
  app.post('/token', tokenRoute);
  app.get('/info', infoRoute);
  const url = await listenLocal(app, options.port);
  const controls = core.controls({ app, url, clientId, clientSecret, tokenPrefix: 'y0_' });
  return Object.assign(controls, { oauthBaseUrl: url, loginBaseUrl: url });
}

/** Keeps `emails` in step with default_email unless the test sets both. */
function syncEmails(user: YandexUser, given: Partial<YandexUser>): YandexUser {
  return given.default_email && !given.emails ? { ...user, emails: [given.default_email] } : user;
}

/** Yandex codes are short digit strings; retry on the rare collision. */
function uniqueNumericCode(existing: Map<string, unknown>): string {
  for (;;) {
    const code = String(randomInt(1000000, 10000000));
    if (!existing.has(code)) return code;
  }
}
