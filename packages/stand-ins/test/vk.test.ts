import t from 'tap';
import { authorize, AuthorizeError } from '../src/authorize.js';
import { startVkStandIn, type VkStandIn } from '../src/vk.js';
import { getJson, pkcePair, postForm, withQuery } from './fixtures/http.js';

const REDIRECT = 'http://127.0.0.1:8080/vk/callback';

function authorizeUrl(vk: VkStandIn, challenge: string, extra: Record<string, string> = {}) {
  return withQuery(`${vk.url}/authorize`, {
    response_type: 'code',
    client_id: vk.clientId,
    redirect_uri: REDIRECT,
    state: 'state-0123456789abcdef0123456789abcdef',
    code_challenge: challenge,
    code_challenge_method: 's256',
    scope: 'email phone',
    ...extra,
  });
}

async function startFlow(vk: VkStandIn) {
  const pkce = pkcePair();
  const redirect = await authorize(authorizeUrl(vk, pkce.challenge));
  const exchange = (overrides: Record<string, string> = {}) =>
    postForm(`${vk.url}/oauth2/auth`, {
      grant_type: 'authorization_code',
      code: redirect.code,
      code_verifier: pkce.verifier,
      client_id: vk.clientId,
      device_id: redirect.deviceId ?? '',
      redirect_uri: REDIRECT,
      state: 'exchange-state',
      ...overrides,
    });
  return { pkce, redirect, exchange };
}

t.test('happy path: authorize, exchange, user_info', async (t) => {
  const vk = await startVkStandIn();
  t.teardown(() => vk.close());
  vk.setUser({ user_id: '777', email: 'anna@vk.test', first_name: 'Анна' });
  const { redirect, exchange } = await startFlow(vk);
  t.equal(redirect.redirectUri, REDIRECT);
  t.equal(redirect.state, 'state-0123456789abcdef0123456789abcdef');
  t.ok(redirect.deviceId);
  t.equal(redirect.params.type, 'code_v2');
  t.equal(redirect.params.expires_in, '600');

  const token = await exchange();
  t.equal(token.status, 200);
  t.match(token.body, {
    access_token: /^vk2\.a\./,
    refresh_token: String,
    id_token: /^[\w-]+\.[\w-]+\.[\w-]+$/,
    token_type: 'Bearer',
    expires_in: 3600,
    user_id: 777,
    state: 'exchange-state',
    scope: 'email phone',
  });

  const info = await postForm(`${vk.url}/oauth2/user_info`, {
    access_token: token.body.access_token as string,
    client_id: vk.clientId,
  });
  t.equal(info.status, 200);
  t.match(info.body, {
    user: {
      user_id: '777',
      first_name: 'Анна',
      last_name: 'Петров',
      email: 'anna@vk.test',
      phone: '79991234567',
    },
  });
  t.ok(
    vk.requests.some((r) => r.path === '/oauth2/auth' && r.body.code === redirect.code),
    'requests are logged',
  );
});

t.test('user_info shares email/phone only with the matching scope', async (t) => {
  const vk = await startVkStandIn();
  t.teardown(() => vk.close());
  const pkce = pkcePair();
  const redirect = await authorize(authorizeUrl(vk, pkce.challenge, { scope: 'vkid.personal_info' }));
  const token = await postForm(`${vk.url}/oauth2/auth`, {
    grant_type: 'authorization_code',
    code: redirect.code,
    code_verifier: pkce.verifier,
    client_id: vk.clientId,
    device_id: redirect.deviceId ?? '',
    redirect_uri: REDIRECT,
    state: 's',
  });
  const info = await postForm(`${vk.url}/oauth2/user_info`, {
    access_token: token.body.access_token as string,
    client_id: vk.clientId,
  });
  const user = info.body.user as Record<string, unknown>;
  t.equal(user.user_id, '1234567890');
  t.notOk('email' in user);
  t.notOk('phone' in user);
});

t.test('authorize refusals', async (t) => {
  const vk = await startVkStandIn({ redirectUris: [REDIRECT] });
  t.teardown(() => vk.close());
  const { challenge } = pkcePair();
  const refusal = async (extra: Record<string, string>) => {
    const err = await authorize(authorizeUrl(vk, challenge, extra)).catch((e: unknown) => e);
    t.ok(err instanceof AuthorizeError);
    return JSON.parse((err as AuthorizeError).body) as Record<string, string>;
  };
  t.match(await refusal({ client_id: '999' }), { error: 'invalid_client' });
  t.match(await refusal({ redirect_uri: 'https://evil.test/cb' }), {
    error: 'invalid_request',
    error_description: /redirect_uri/,
  });
  t.match(await refusal({ code_challenge: '' }), {
    error: 'invalid_request',
    error_description: /code_challenge/,
  });
  t.match(await refusal({ code_challenge_method: 'plain' }), {
    error: 'invalid_request',
    error_description: /s256/,
  });
  t.match(await refusal({ state: '' }), { error: 'invalid_request', error_description: /state/ });

  vk.denyNext();
  const denied = (await authorize(authorizeUrl(vk, challenge)).then(
    () => undefined,
    (e: unknown) => e,
  )) as AuthorizeError;
  t.equal(denied.error, 'access_denied');
  t.equal(denied.location?.searchParams.get('state'), 'state-0123456789abcdef0123456789abcdef');
  t.ok((await authorize(authorizeUrl(vk, challenge))).code, 'only the next authorize was denied');
});

t.test('code exchange refusals', async (t) => {
  const vk = await startVkStandIn();
  t.teardown(() => vk.close());
  vk.addClient({ clientId: '52000000' });

  const wrongVerifier = await startFlow(vk);
  t.match(await wrongVerifier.exchange({ code_verifier: pkcePair().verifier }), {
    status: 400,
    body: { error: 'invalid_grant', error_description: /code_verifier/ },
  });
  t.match(await wrongVerifier.exchange({ redirect_uri: 'http://127.0.0.1:8080/other' }), {
    status: 400,
    body: { error: 'invalid_grant' },
  });
  t.match(await wrongVerifier.exchange({ device_id: 'another-device' }), {
    status: 400,
    body: { error_description: /device_id/ },
  });
  t.match(await wrongVerifier.exchange({ client_id: '52000000' }), {
    status: 400,
    body: { error_description: /another client/ },
  });
  t.match(await wrongVerifier.exchange({ client_id: '404' }), {
    status: 401,
    body: { error: 'invalid_client' },
  });
  t.match(await wrongVerifier.exchange({ code_verifier: '' }), {
    status: 400,
    body: { error: 'invalid_request' },
  });
  t.match(await wrongVerifier.exchange({ grant_type: 'password' }), {
    status: 400,
    body: { error: 'unsupported_grant_type' },
  });
  t.equal((await wrongVerifier.exchange()).status, 200, 'failed attempts do not burn the code');
  t.match(await wrongVerifier.exchange(), {
    status: 400,
    body: { error: 'invalid_grant', error_description: /already been used/ },
  });
  t.match(await wrongVerifier.exchange({ code: 'vk2.a.unknown' }), {
    status: 400,
    body: { error_description: /invalid/ },
  });

  const expired = await startFlow(vk);
  vk.expireCodes();
  t.match(await expired.exchange(), {
    status: 400,
    body: { error: 'invalid_grant', error_description: /expired/ },
  });
});

t.test('user_info refuses unknown, expired and foreign tokens', async (t) => {
  const vk = await startVkStandIn();
  t.teardown(() => vk.close());
  const userInfo = (token: string, clientId = vk.clientId) =>
    postForm(`${vk.url}/oauth2/user_info`, { access_token: token, client_id: clientId });

  t.match(await userInfo('vk2.a.nope'), { status: 401, body: { error: 'invalid_token' } });
  const foreign = vk.issueToken({ clientId: '99999999' });
  t.match(await userInfo(foreign.accessToken), {
    status: 401,
    body: { error: 'invalid_token', error_description: /another client/ },
  });
  t.equal(
    (await userInfo(foreign.accessToken, '99999999')).status,
    200,
    'fine for the client it was issued to',
  );

  const own = vk.issueToken({ user: { user_id: '42' } });
  t.match(await userInfo(own.accessToken), {
    status: 200,
    body: { user: { user_id: '42', email: 'ivan.petrov@vk.test' } },
  });
  vk.expireTokens();
  t.equal((await userInfo(own.accessToken)).status, 401);
});

t.test('outage modes', async (t) => {
  const vk = await startVkStandIn();
  t.teardown(() => vk.close());
  const token = vk.issueToken();
  const userInfo = (signal?: AbortSignal) =>
    fetch(`${vk.url}/oauth2/user_info`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: token.accessToken, client_id: vk.clientId }).toString(),
      ...(signal ? { signal } : {}),
    });

  vk.setOutage('5xx');
  t.equal((await userInfo()).status, 503);
  vk.setOutage('error-body');
  const errorBody = await userInfo();
  t.equal(errorBody.status, 200, 'VK-style error with HTTP 200');
  t.match(await errorBody.json(), { error: 'server_error' });
  vk.setOutage('timeout');
  await t.rejects(userInfo(AbortSignal.timeout(200)), { name: 'TimeoutError' });
  vk.setOutage('5xx', ['/oauth2/auth']);
  t.equal((await userInfo()).status, 200, 'outage limited to other paths');
  vk.setOutage(null);
  t.equal((await userInfo()).status, 200);
});

t.test('close() ends requests held by the timeout outage', async (t) => {
  const vk = await startVkStandIn();
  vk.setOutage('timeout');
  const pending = getJson(`${vk.url}/authorize`).catch((err: unknown) => err);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  await vk.close();
  t.ok((await pending) instanceof Error, 'the held request fails instead of hanging');
  t.ok(Date.now() - started < 1000);
});
