import t from 'tap';
import { authorize, AuthorizeError } from '../src/authorize.js';
import { startYandexStandIn, type YandexStandIn } from '../src/yandex.js';
import { basic, getJson, pkcePair, postForm, withQuery } from './fixtures/http.js';

const REDIRECT = 'http://127.0.0.1:8080/yandex/callback';

function authorizeUrl(ya: YandexStandIn, challenge: string | undefined, extra: Record<string, string> = {}) {
  return withQuery(`${ya.oauthBaseUrl}/authorize`, {
    response_type: 'code',
    client_id: ya.clientId,
    redirect_uri: REDIRECT,
    state: 'st-1',
    ...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
    ...extra,
  });
}

function token(ya: YandexStandIn, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return postForm(`${ya.oauthBaseUrl}/token`, { grant_type: 'authorization_code', ...fields }, headers);
}

function info(ya: YandexStandIn, accessToken: string) {
  return getJson(`${ya.loginBaseUrl}/info?format=json`, { authorization: `OAuth ${accessToken}` });
}

t.test('happy path with form client auth and PKCE', async (t) => {
  const ya = await startYandexStandIn({ clientId: 'ya-client', clientSecret: 'ya-secret' });
  t.teardown(() => ya.close());
  t.equal(ya.oauthBaseUrl, ya.loginBaseUrl);
  ya.setUser({ id: '555', login: 'anna', default_email: 'anna@yandex.ru' });
  const pkce = pkcePair();
  const redirect = await authorize(authorizeUrl(ya, pkce.challenge));
  t.equal(redirect.state, 'st-1');
  t.match(redirect.code, /^\d{7}$/);

  const issued = await token(ya, {
    code: redirect.code,
    code_verifier: pkce.verifier,
    client_id: 'ya-client',
    client_secret: 'ya-secret',
  });
  t.equal(issued.status, 200);
  t.match(issued.body, {
    token_type: 'bearer',
    access_token: /^y0_/,
    expires_in: Number,
    refresh_token: String,
  });

  const me = await info(ya, issued.body.access_token as string);
  t.equal(me.status, 200);
  t.match(me.body, {
    id: '555',
    login: 'anna',
    client_id: 'ya-client',
    default_email: 'anna@yandex.ru',
    emails: ['anna@yandex.ru'],
    default_phone: { id: Number, number: '+79991234567' },
    first_name: 'Иван',
    last_name: 'Петров',
    real_name: String,
    display_name: String,
    psuid: String,
  });
});

t.test('basic client auth; PKCE only when a challenge was given', async (t) => {
  const ya = await startYandexStandIn();
  t.teardown(() => ya.close());
  const plain = await authorize(authorizeUrl(ya, undefined));
  const issued = await token(ya, { code: plain.code }, basic(ya.clientId, ya.clientSecret));
  t.equal(issued.status, 200, 'no challenge, no verifier needed');

  const pkce = pkcePair();
  const withPkce = await authorize(authorizeUrl(ya, pkce.challenge));
  const auth = basic(ya.clientId, ya.clientSecret);
  t.match(await token(ya, { code: withPkce.code }, auth), {
    status: 400,
    body: { error: 'invalid_grant', error_description: /required/ },
  });
  t.match(await token(ya, { code: withPkce.code, code_verifier: pkcePair().verifier }, auth), {
    status: 400,
    body: { error: 'invalid_grant', error_description: /does not match/ },
  });
  t.equal((await token(ya, { code: withPkce.code, code_verifier: pkce.verifier }, auth)).status, 200);
  t.match(await token(ya, { code: withPkce.code, code_verifier: pkce.verifier }, auth), {
    status: 400,
    body: { error: 'invalid_grant', error_description: /already been used/ },
  });
});

t.test('client and code refusals', async (t) => {
  const ya = await startYandexStandIn({ redirectUris: [REDIRECT] });
  t.teardown(() => ya.close());
  ya.addClient({ clientId: 'other', clientSecret: 'other-secret' });
  const pkce = pkcePair();
  const redirect = await authorize(authorizeUrl(ya, pkce.challenge));
  const fields = { code: redirect.code, code_verifier: pkce.verifier };

  t.match(await token(ya, fields, basic(ya.clientId, 'wrong')), {
    status: 401,
    body: { error: 'invalid_client' },
  });
  t.match(await token(ya, { ...fields, client_id: 'nobody', client_secret: 'x' }), {
    status: 401,
    body: { error: 'invalid_client' },
  });
  t.match(await token(ya, fields, basic('other', 'other-secret')), {
    status: 400,
    body: { error: 'invalid_grant', error_description: /another client/ },
  });
  t.match(await token(ya, { ...fields, grant_type: 'refresh_token' }, basic(ya.clientId, ya.clientSecret)), {
    status: 400,
    body: { error: 'unsupported_grant_type' },
  });
  ya.expireCodes();
  t.match(await token(ya, fields, basic(ya.clientId, ya.clientSecret)), {
    status: 400,
    body: { error_description: /expired/ },
  });

  // Without redirect_uri, the registered one is used.
  const registered = await authorize(
    authorizeUrl(ya, pkce.challenge, { redirect_uri: '' }).replace('redirect_uri=&', ''),
  );
  t.equal(registered.redirectUri, REDIRECT);
  const refused = await authorize(
    authorizeUrl(ya, pkce.challenge, { redirect_uri: 'https://evil.test/' }),
  ).catch((e: unknown) => e);
  t.ok(refused instanceof AuthorizeError && refused.status === 400);
  const unknownClient = await authorize(authorizeUrl(ya, pkce.challenge, { client_id: 'nobody' })).catch(
    (e: unknown) => e,
  );
  t.ok(unknownClient instanceof AuthorizeError && JSON.parse(unknownClient.body).error === 'invalid_client');
});

t.test('/info refuses bad tokens and reveals the client of foreign ones', async (t) => {
  const ya = await startYandexStandIn();
  t.teardown(() => ya.close());
  t.equal((await info(ya, 'y0_nope')).status, 401);
  t.equal((await getJson(`${ya.loginBaseUrl}/info?format=json`)).status, 401, 'no Authorization header');
  const foreign = ya.issueToken({ clientId: 'someone-else' });
  t.match(await info(ya, foreign.accessToken), { status: 200, body: { client_id: 'someone-else' } });
  ya.expireTokens();
  t.equal((await info(ya, foreign.accessToken)).status, 401);
});

t.test('outage modes', async (t) => {
  const ya = await startYandexStandIn();
  t.teardown(() => ya.close());
  const own = ya.issueToken();
  ya.setOutage('5xx');
  t.equal((await info(ya, own.accessToken)).status, 503);
  ya.setOutage('error-body');
  t.match(await info(ya, own.accessToken), { status: 400, body: { error: String } });
  ya.setOutage('timeout', ['/token']);
  t.equal((await info(ya, own.accessToken)).status, 200, 'only /token hangs');
  await t.rejects(fetch(`${ya.oauthBaseUrl}/token`, { method: 'POST', signal: AbortSignal.timeout(200) }), {
    name: 'TimeoutError',
  });
  ya.setOutage(null);
  t.equal((await info(ya, own.accessToken)).status, 200);
});
