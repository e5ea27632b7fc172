import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAbsoluteUrl, OAuthCore, redirectWith, type OAuthClient, type OAuthControls } from './oauth.js';
import {
  createApp,
  listenLocal,
  type ListenOptions,
  parseBasicAuth,
  randomHex,
  stringFields,
} from './util.js';

/**
 * Mail.ru OAuth stand-in (oauth.mail.ru): `GET /login`, `POST /token`, `GET /userinfo`.
 * PKCE is optional as on Mail.ru, but verified whenever authorize received a challenge.
 */

export interface MailruUser {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  name: string;
  nickname: string;
  image: string;
  gender: string;
  locale: string;
  birthday: string;
}

export interface MailruStandInOptions extends ListenOptions {
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  user?: Partial<MailruUser>;
}

export type MailruStandIn = OAuthControls<MailruUser>;

const CODE_TTL_SECONDS = 600;
const TOKEN_TTL_SECONDS = 3600;

/**
 * Mail.ru puts a numeric error_code next to the OAuth error name. The numbers are the
 * stand-in's own apart from invalid_token = 2; clients should key on `error`.
 */
const ERROR_CODES: Record<string, number> = {
  invalid_request: 1,
  invalid_token: 2,
  invalid_client: 3,
  invalid_grant: 4,
  unsupported_grant_type: 5,
  access_denied: 6,
  server_error: 7,
};

function defaultMailruUser(): MailruUser {
  return {
    id: '12345678901234567890',
    email: 'ivan.petrov@mail.ru',
    first_name: 'Иван',
    last_name: 'Петров',
    name: 'Иван Петров',
    nickname: 'ivan.petrov',
    image: 'https://filin.mail.ru/pic?email=ivan.petrov%40mail.ru',
    gender: 'm',
    locale: 'ru_RU',
    birthday: '01.01.1990',
  };
}

/** Body of a Mail.ru error: `{error, error_code, error_description}`. */
export function mailruErrorBody(error: string, description: string) {
  return { error, error_code: ERROR_CODES[error] ?? 0, error_description: description };
}

export async function startMailruStandIn(options: MailruStandInOptions = {}): Promise<MailruStandIn> {
  const clientId = options.clientId ?? randomHex(16);
  const clientSecret = options.clientSecret ?? randomHex(16);
  const core = new OAuthCore<MailruUser>(defaultMailruUser, CODE_TTL_SECONDS, TOKEN_TTL_SECONDS);
  const client: OAuthClient = { clientId, clientSecret };
  if (options.redirectUris) client.redirectUris = options.redirectUris;
  core.addClient(client);
  if (options.user) core.setUser(options.user);

  function mailruError(reply: FastifyReply, status: number, error: string, description: string) {
    return reply.code(status).send(mailruErrorBody(error, description));
  }

  async function loginRoute(request: FastifyRequest, reply: FastifyReply) {
    const q = stringFields(request.query);
    const known = q.client_id ? core.clients.get(q.client_id) : undefined;
    if (!known) return mailruError(reply, 400, 'invalid_client', 'unknown client_id');
    if (!isAbsoluteUrl(q.redirect_uri) || !core.redirectAllowed(known, q.redirect_uri)) {
      return mailruError(reply, 400, 'invalid_request', 'redirect_uri is missing or not registered');
    }
    if (q.response_type !== 'code')
      return mailruError(reply, 400, 'invalid_request', 'response_type must be code');
    if (!q.state) return mailruError(reply, 400, 'invalid_request', 'state is required');
    if (q.code_challenge && q.code_challenge_method !== 'S256') {
      return mailruError(reply, 400, 'invalid_request', 'code_challenge_method must be S256');
    }
    if (core.takeDenial()) {
      return reply.redirect(
        redirectWith(q.redirect_uri, {
          error: 'access_denied',
          error_description: 'user denied access',
          state: q.state,
        }),
      );
    }
    const grant = core.issueCode(
      {
        clientId: known.clientId,
        redirectUri: q.redirect_uri,
        state: q.state,
        scope: q.scope ?? 'userinfo',
        ...(q.code_challenge ? { codeChallenge: q.code_challenge, codeChallengeMethod: 'S256' } : {}),
      },
      randomHex(24),
    );
    return reply.redirect(redirectWith(q.redirect_uri, { code: grant.code, state: q.state }));
  }

  /** Mail.ru authenticates the client with HTTP basic; form fields are accepted as a fallback. */
  function authenticate(request: FastifyRequest, b: Record<string, string>): OAuthClient | undefined {
    const basic = parseBasicAuth(request.headers.authorization);
    const id = basic?.user ?? b.client_id;
    const secret = basic?.pass ?? b.client_secret;
    const known = id ? core.clients.get(id) : undefined;
    return known && secret && secret === known.clientSecret ? known : undefined;
  }

  async function tokenRoute(request: FastifyRequest, reply: FastifyReply) {
    const b = stringFields(request.body);
    const authenticated = authenticate(request, b);
    if (!authenticated) return mailruError(reply, 401, 'invalid_client', 'client authentication failed');
    if (b.grant_type !== 'authorization_code') {
      return mailruError(reply, 400, 'unsupported_grant_type', 'grant_type must be authorization_code');
    }
    const found = core.findCode(b.code, authenticated.clientId);
    if ('reason' in found) return mailruError(reply, 400, 'invalid_grant', found.reason);
    if (found.grant.redirectUri !== b.redirect_uri)
      return mailruError(reply, 400, 'invalid_grant', 'redirect_uri does not match');
    const pkce = core.pkceProblem(found.grant, b.code_verifier);
    if (pkce) return mailruError(reply, 400, 'invalid_grant', pkce);
    found.grant.used = true;
    const token = core.issueToken(found.grant.clientId, found.grant.user, found.grant.scope);
    return reply.send({
      access_token: token.accessToken,
      refresh_token: token.refreshToken,
      expires_in: TOKEN_TTL_SECONDS,
    });
  }

  async function userInfoRoute(request: FastifyRequest, reply: FastifyReply) {
    const q = stringFields(request.query);
    const token = core.findToken(q.access_token);
    if (!token) return mailruError(reply, 401, 'invalid_token', 'token not found or expired');
    // Mail.ru answers for any valid token; client_id tells the caller whose token it is.
    return reply.send({ ...token.user, client_id: token.clientId });
  }

  const app = await createApp();
  // Mail.ru reports some failures as HTTP 200 with an error object; clients must check `error`.
  core.installHooks(app, () => ({ status: 200, body: mailruErrorBody('server_error', 'internal error') }));
  app.get('/login', loginRoute);
  app.post('/token', tokenRoute);
  app.get('/userinfo', userInfoRoute);
  const url = await listenLocal(app, options.port);
  return core.controls({ app, url, clientId, clientSecret, defaultScope: 'userinfo' });
}
