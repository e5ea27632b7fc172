import t from 'tap';
import { authorize, AuthorizeError } from '../src/authorize.js';
import { startMailruStandIn, type MailruStandIn } from '../src/mailru.js';
import { basic, getJson, pkcePair, postForm, withQuery } from './fixtures/http.js';

const REDIRECT = 'http://127.0.0.1:8080/mail.ru/callback';

function loginUrl(mr: MailruStandIn, extra: Record<string, string> = {}) {
  return withQuery(`${mr.url}/login`, {
    response_type: 'code',
    client_id: mr.clientId,
    redirect_uri: REDIRECT,
    scope: 'userinfo',
    state: 'mr-state',
    ...extra,
  });
}

function token(
  mr: MailruStandIn,
  fields: Record<string, string>,
  auth = basic(mr.clientId, mr.clientSecret),
) {
  return postForm(
    `${mr.url}/token`,
    { grant_type: 'authorization_code', redirect_uri: REDIRECT, ...fields },
    auth,
  );
}

function userinfo(mr: MailruStandIn, accessToken: string) {
  return getJson(`${mr.url}/userinfo?access_token=${encodeURIComponent(accessToken)}`);
}

t.test('happy path without PKCE: login, token, userinfo', async (t) => {
  const mr = await startMailruStandIn();
  t.teardown(() => mr.close());
  mr.setUser({ email: 'anna@mail.ru', first_name: 'Анна' });
  const redirect = await authorize(loginUrl(mr));
  t.equal(redirect.state, 'mr-state');
  t.equal(redirect.redirectUri, REDIRECT);

  const issued = await token(mr, { code: redirect.code });
  t.equal(issued.status, 200);
  t.same(Object.keys(issued.body).sort(), ['access_token', 'expires_in', 'refresh_token']);

  const me = await userinfo(mr, issued.body.access_token as string);
  t.equal(me.status, 200);
  t.match(me.body, {
    id: String,
    client_id: mr.clientId,
    email: 'anna@mail.ru',
    first_name: 'Анна',
    last_name: 'Петров',
    name: String,
    image: /^https:/,
    gender: 'm',
    nickname: String,
    locale: 'ru_RU',
  });
});

t.test('PKCE is verified when login received a challenge', async (t) => {
  const mr = await startMailruStandIn();
  t.teardown(() => mr.close());
  const pkce = pkcePair();
  const redirect = await authorize(
    loginUrl(mr, { code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
  );
  t.match(await token(mr, { code: redirect.code }), {
    status: 400,
    body: { error: 'invalid_grant', error_code: 4 },
  });
  t.match(await token(mr, { code: redirect.code, code_verifier: pkcePair().verifier }), {
    status: 400,
    body: { error: 'invalid_grant' },
  });
  t.equal((await token(mr, { code: redirect.code, code_verifier: pkce.verifier })).status, 200);
  t.match(await token(mr, { code: redirect.code, code_verifier: pkce.verifier }), {
    status: 400,
    body: { error: 'invalid_grant', error_description: /already been used/ },
  });
  const plain = await authorize(
    loginUrl(mr, { code_challenge: pkce.challenge, code_challenge_method: 'plain' }),
  ).catch((e: unknown) => e);
  t.ok(plain instanceof AuthorizeError && plain.status === 400, 'only S256');
});

t.test('client, redirect and code refusals', async (t) => {
  const mr = await startMailruStandIn();
  t.teardown(() => mr.close());
  mr.addClient({ clientId: 'other', clientSecret: 'other-secret' });
  const redirect = await authorize(loginUrl(mr));
  t.match(await token(mr, { code: redirect.code }, basic(mr.clientId, 'wrong')), {
    status: 401,
    body: { error: 'invalid_client', error_code: Number, error_description: String },
  });
  t.match(await token(mr, { code: redirect.code }, {}), { status: 401, body: { error: 'invalid_client' } });
  t.match(await token(mr, { code: redirect.code }, basic('other', 'other-secret')), {
    status: 400,
    body: { error: 'invalid_grant', error_description: /another client/ },
  });
  t.match(await token(mr, { code: redirect.code, redirect_uri: 'http://127.0.0.1:8080/elsewhere' }), {
    status: 400,
    body: { error: 'invalid_grant', error_description: /redirect_uri/ },
  });
  mr.expireCodes();
  t.match(await token(mr, { code: redirect.code }), { status: 400, body: { error_description: /expired/ } });

  const noState = await authorize(loginUrl(mr, { state: '' })).catch((e: unknown) => e);
  t.ok(noState instanceof AuthorizeError && noState.status === 400);
  mr.denyNext();
  const denied = await authorize(loginUrl(mr)).catch((e: unknown) => e);
  t.ok(denied instanceof AuthorizeError && denied.error === 'access_denied');
});

t.test('userinfo refuses bad tokens and reveals the client of foreign ones', async (t) => {
  const mr = await startMailruStandIn();
  t.teardown(() => mr.close());
  t.same(await userinfo(mr, 'nope'), {
    status: 401,
    body: { error: 'invalid_token', error_code: 2, error_description: 'token not found or expired' },
  });
  const foreign = mr.issueToken({ clientId: 'another-app', user: { email: 'x@mail.ru' } });
  t.match(await userinfo(mr, foreign.accessToken), {
    status: 200,
    body: { client_id: 'another-app', email: 'x@mail.ru' },
  });
});

t.test('outage modes', async (t) => {
  const mr = await startMailruStandIn();
  t.teardown(() => mr.close());
  const own = mr.issueToken();
  mr.setOutage('5xx');
  t.equal((await userinfo(mr, own.accessToken)).status, 503);
  mr.setOutage('error-body');
  t.match(await userinfo(mr, own.accessToken), {
    status: 200,
    body: { error: 'server_error', error_code: Number },
  });
  mr.setOutage('timeout');
  await t.rejects(fetch(`${mr.url}/userinfo?access_token=x`, { signal: AbortSignal.timeout(200) }), {
    name: 'TimeoutError',
  });
  mr.setOutage(null);
  t.equal((await userinfo(mr, own.accessToken)).status, 200);
  t.ok(
    mr.requests.filter((r) => r.path === '/userinfo').length >= 4,
    'requests during outages are logged too',
  );
});
