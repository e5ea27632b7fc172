import t from 'tap';
import { decodeJwt } from 'jose';
import { tokenId } from '@propusk/contracts';
import { ALICE, buildDomain, STAFF } from './fixtures/domain.js';
import { buildApp, gatewayHeaders } from './fixtures/http.js';

const LOGGED_OUT = { message: 'successfully logged out' };
const UNAUTHORIZED = { message: 'the access token is invalid, expired or revoked; sign in again' };

async function setup() {
  const d = await buildDomain();
  const app = await buildApp(d);
  const pair = await d.adminTelegram.issue(STAFF);
  const headers = gatewayHeaders(pair.access_token, await d.introspection.introspect(pair.access_token));
  return { d, app, pair, headers };
}

t.test('logout (document 000) with the verified token: 200, the family is revoked', async (t) => {
  const { d, app, pair, headers } = await setup();
  const res = await app.inject({ method: 'POST', url: '/api/v1/admin/logout', headers });
  t.equal(res.statusCode, 200);
  t.strictSame(res.json(), LOGGED_OUT);
  t.match(res.headers['content-type'], /^application\/json/);
  t.strictSame(
    await d.introspection.introspect(pair.access_token),
    { active: false },
    'the access token is refused',
  );
  t.strictSame(await d.introspection.introspect(pair.refresh_token), { active: false });
  await t.rejects(
    d.adminTelegram.refresh(pair.refresh_token),
    { code: 'invalid_token' },
    'no refresh after logout',
  );
  t.strictSame(d.events.published, [
    { jti: tokenId(pair.access_token), profile: 'admin-telegram', exp: decodeJwt(pair.access_token).exp },
  ]);
  const again = await app.inject({ method: 'POST', url: '/api/v1/admin/logout/', headers });
  t.strictSame([again.statusCode, again.json()], [401, UNAUTHORIZED], 'the same token cannot log out twice');
});

t.test('logout is served with and without the trailing slash; any body is ignored', async (t) => {
  for (const [url, payload, type] of [
    ['/api/v1/admin/logout/', '{"refresh_token": "x"}', 'application/json'],
    ['/api/v1/admin/logout', '{not json', 'application/json'],
    ['/api/v1/admin/logout', 'a=b', 'text/plain'],
  ] as const) {
    const { app, headers } = await setup();
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { ...headers, 'content-type': type },
      payload,
    });
    t.strictSame([res.statusCode, res.json()], [200, LOGGED_OUT], `${url} ${type}`);
  }
});

t.test('logout without a verified admin-telegram access token: 401, nothing revoked', async (t) => {
  const { d, app, pair } = await setup();
  const refreshHeaders = {
    ...gatewayHeaders(pair.access_token, await d.introspection.introspect(pair.access_token)),
    'x-propusk-token': pair.refresh_token,
    'x-propusk-token-id': tokenId(pair.refresh_token),
  };
  const drf = await d.drf.issue(ALICE);
  const drfHeaders = gatewayHeaders(drf.token, await d.introspection.introspect(drf.token));
  const cases: Array<[string, Record<string, string>]> = [
    ['no headers', {}],
    ['only Authorization', { authorization: `Bearer ${pair.access_token}` }],
    ['the refresh token as the verified token', refreshHeaders],
    ['a drf identity', drfHeaders],
  ];
  for (const [what, headers] of cases) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/admin/logout', headers });
    t.strictSame([res.statusCode, res.json()], [401, UNAUTHORIZED], what);
  }
  t.equal((await d.introspection.introspect(pair.access_token)).active, true, 'the session lives on');
  t.equal((await d.introspection.introspect(pair.refresh_token)).active, true);
  t.equal((await d.introspection.introspect(drf.token)).active, true, 'a drf token is not revoked here');
  t.strictSame(d.events.published, []);
});

t.test('logout after the family was revoked by reuse: 401', async (t) => {
  const { d, app, pair } = await setup();
  const renewed = await d.adminTelegram.refresh(pair.refresh_token);
  const headers = gatewayHeaders(
    renewed.access_token,
    await d.introspection.introspect(renewed.access_token),
  );
  await t.rejects(d.adminTelegram.refresh(pair.refresh_token), { code: 'refresh_reused' });
  const res = await app.inject({ method: 'POST', url: '/api/v1/admin/logout', headers });
  t.strictSame([res.statusCode, res.json()], [401, UNAUTHORIZED]);
});

t.test('logout errors keep the {"message"} shape: Redis down 503, oversized body 413', async (t) => {
  const { d, app, headers } = await setup();
  const big = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/logout',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: `"${'x'.repeat(20_000)}"`,
  });
  t.strictSame([big.statusCode, big.json()], [413, { message: 'the request body is too large' }]);
  d.outage.down = true;
  const res = await app.inject({ method: 'POST', url: '/api/v1/admin/logout', headers });
  t.strictSame(
    [res.statusCode, res.json()],
    [503, { message: 'a service is temporarily unavailable; retry later' }],
  );
});
