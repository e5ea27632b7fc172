import t from 'tap';
import { decodeJwt } from 'jose';
import { ALICE, ANDREJ, buildDomain, STAFF } from './fixtures/domain.js';
import { buildApp } from './fixtures/http.js';

/** GET /validate/jwt/access and /validate/jwt/refresh (document 002), every answer. */
const INVALID = { detail: 'The refresh token is invalid, expired or revoked' };
const MISSING = { detail: 'Query parameter "refresh" is required' };
const UNAVAILABLE = { detail: 'Service temporarily unavailable, retry later' };

async function setup() {
  const d = await buildDomain();
  const app = await buildApp(d);
  const pair = await d.authorization.issue(ANDREJ);
  return { d, app, pair };
}

const q = (name: string, token: string) => `${name}=${encodeURIComponent(token)}`;

t.test('access: 200 true for a live access token, as JSON', async (t) => {
  const { app, pair } = await setup();
  for (const url of [
    `/validate/jwt/access?${q('access', pair.access)}`,
    `/validate/jwt/access/?${q('access', pair.access)}`,
  ]) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200, url);
    t.equal(res.body, 'true');
    t.match(res.headers['content-type'], /^application\/json/);
    t.equal(res.headers['cache-control'], 'no-store');
  }
});

t.test('access: 200 false for everything else, never an error', async (t) => {
  const { d, app, pair } = await setup();
  const admin = await d.adminTelegram.issue(STAFF);
  const { token: envelope } = await d.envelope.issue(ALICE);
  const { token: v2 } = await d.v2.issue(ALICE);
  const { token: drf } = await d.drf.issue(ALICE);
  const revoked = await d.authorization.issue(ANDREJ);
  await d.introspection.revoke(revoked.access);
  const [h, p, s] = pair.access.split('.') as [string, string, string];
  const cases: Array<[string, string]> = [
    ['no parameter', '/validate/jwt/access'],
    ['an empty parameter', '/validate/jwt/access?access='],
    ['the parameter twice', `/validate/jwt/access?${q('access', pair.access)}&${q('access', pair.access)}`],
    ['another parameter name', `/validate/jwt/access?${q('token', pair.access)}`],
    ['a refresh token', `/validate/jwt/access?${q('access', pair.refresh)}`],
    ['a revoked access token', `/validate/jwt/access?${q('access', revoked.access)}`],
    ['a changed signature', `/validate/jwt/access?${q('access', `${h}.${p}.${s.slice(0, -2)}AA`)}`],
    ['an admin-telegram access token', `/validate/jwt/access?${q('access', admin.access_token)}`],
    ['an envelope token', `/validate/jwt/access?${q('access', envelope)}`],
    ['a v2 token', `/validate/jwt/access?${q('access', v2)}`],
    ['a drf token', `/validate/jwt/access?${q('access', drf)}`],
    [
      'the document’s example token',
      '/validate/jwt/access?access=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX25hbWUiOiJhbmRyZWdtZWR2ZWRldjI3MTNAZ21haWwuY29tIiwiaGVhZGVyIjp7ImFsZyI6IkhTMjU2IiwidHlwIjoiSldUIiwidXVpZCI6ImMwMTM4NDYxLWY5YjUtNDI1NS04OTI1LTg1YzI2NjMxYThjZiJ9LCJleHAiOjE3MzkyMzAxOTQsIm1vZGUiOiJhY2Nlc3NfdG9rZW4ifQ.SgqAnJSa2yqf6Wevwt44RK2rJ9q9SfKd5fbQ9JhWslI',
    ],
    ['garbage', '/validate/jwt/access?access=%F0%9F%94%91.%00.x'],
    ['very long', `/validate/jwt/access?access=${'a'.repeat(6000)}`],
  ];
  for (const [what, url] of cases) {
    const res = await app.inject({ method: 'GET', url });
    t.strictSame([res.statusCode, res.body], [200, 'false'], what);
  }
  d.clock.advance(3600_000);
  const expired = await app.inject({
    method: 'GET',
    url: `/validate/jwt/access?${q('access', pair.access)}`,
  });
  t.strictSame([expired.statusCode, expired.body], [200, 'false'], 'an expired access token');
  t.strictSame(d.events.published.length, 1, 'validating revokes nothing');
});

t.test('access: the Authorization header is not read', async (t) => {
  const { app, pair } = await setup();
  const res = await app.inject({
    method: 'GET',
    url: '/validate/jwt/access',
    headers: { authorization: `Bearer ${pair.access}` },
  });
  t.strictSame([res.statusCode, res.body], [200, 'false']);
});

t.test('refresh: 200 {access, email} with a new live access token', async (t) => {
  const { d, app, pair } = await setup();
  d.clock.advance(60_000);
  const res = await app.inject({
    method: 'GET',
    url: `/validate/jwt/refresh/?${q('refresh', pair.refresh)}`,
  });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  t.equal(res.headers['cache-control'], 'no-store');
  const body = res.json<{ access: string; email: string }>();
  t.strictSame(Object.keys(body), ['access', 'email']);
  t.equal(body.email, 'andrejmedvedev2713@gmail.com');
  t.equal(decodeJwt(body.access).mode, 'access_token');
  t.not(body.access, pair.access);
  const check = await app.inject({ method: 'GET', url: `/validate/jwt/access?${q('access', body.access)}` });
  t.equal(check.body, 'true', 'the new access token validates');
});

t.test('refresh: 401 {detail} for anything but a live refresh token', async (t) => {
  const { d, app, pair } = await setup();
  const admin = await d.adminTelegram.issue(STAFF);
  const revoked = await d.authorization.issue(ANDREJ);
  await d.introspection.revoke(revoked.refresh);
  const [h, p, s] = pair.refresh.split('.') as [string, string, string];
  const cases: Array<[string, string]> = [
    ['an access token', pair.access],
    ['a revoked refresh token', revoked.refresh],
    ['a changed signature', `${h}.${p}.${s.slice(0, -2)}AA`],
    ['an admin-telegram refresh token', admin.refresh_token],
    ['an envelope token', (await d.envelope.issue(ALICE)).token],
    ['garbage', 'x.y.z'],
  ];
  for (const [what, token] of cases) {
    const res = await app.inject({ method: 'GET', url: `/validate/jwt/refresh?${q('refresh', token)}` });
    t.strictSame([res.statusCode, res.json()], [401, INVALID], what);
  }
  d.clock.advance(4 * 3600_000);
  const expired = await app.inject({
    method: 'GET',
    url: `/validate/jwt/refresh?${q('refresh', pair.refresh)}`,
  });
  t.strictSame([expired.statusCode, expired.json()], [401, INVALID], 'an expired refresh token');
});

t.test('refresh: 400 {detail} without the parameter; no HEAD twin', async (t) => {
  const { d, app, pair } = await setup();
  for (const url of [
    '/validate/jwt/refresh',
    '/validate/jwt/refresh?refresh=',
    `/validate/jwt/refresh?${q('access', pair.refresh)}`,
    `/validate/jwt/refresh?${q('refresh', pair.refresh)}&${q('refresh', pair.refresh)}`,
  ]) {
    const res = await app.inject({ method: 'GET', url });
    t.strictSame([res.statusCode, res.json()], [400, MISSING], url.slice(0, 40));
  }
  const head = await app.inject({
    method: 'HEAD',
    url: `/validate/jwt/refresh?${q('refresh', pair.refresh)}`,
  });
  t.equal(head.statusCode, 404, 'HEAD is no way to mint a token');
  t.equal(d.authorizationStore.sessions.values().next().value!.access.size, 1, 'no access token minted');
});

t.test('Redis down: both routes answer 503 {detail}, never false or 401', async (t) => {
  const { d, app, pair } = await setup();
  d.outage.down = true;
  const access = await app.inject({ method: 'GET', url: `/validate/jwt/access?${q('access', pair.access)}` });
  t.strictSame([access.statusCode, access.json()], [503, UNAVAILABLE]);
  const refresh = await app.inject({
    method: 'GET',
    url: `/validate/jwt/refresh?${q('refresh', pair.refresh)}`,
  });
  t.strictSame([refresh.statusCode, refresh.json()], [503, UNAVAILABLE]);
});
