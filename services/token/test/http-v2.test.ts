import t from 'tap';
import { IDENTITY_HEADERS, tokenId } from '@propusk/contracts';
import { ALICE, buildDomain, V2_TTL_S } from './fixtures/domain.js';
import { buildApp, gatewayHeaders } from './fixtures/http.js';

/** POST /v2/auth/signout (document 003) behind the gateway, which verified the token and set the headers. */
const UNAUTHORIZED = { code: 401, message: 'Токен авторизации отсутствует, недействителен или уже отозван' };

async function setup() {
  const d = await buildDomain();
  const app = await buildApp(d);
  const { token, claims } = await d.v2.issue(ALICE);
  const headers = gatewayHeaders(token, await d.introspection.introspect(token));
  return { d, app, token, claims, headers };
}

t.test('signout with the verified token: 204 with no body; the token dies and is announced', async (t) => {
  const { d, app, token, claims, headers } = await setup();
  const res = await app.inject({ method: 'POST', url: '/v2/auth/signout', headers });
  t.equal(res.statusCode, 204);
  t.equal(res.body, '');
  t.equal(res.headers['content-type'], undefined, 'no body, no content type');
  t.strictSame(await d.introspection.introspect(token), { active: false });
  t.strictSame(d.events.published, [{ jti: tokenId(token), profile: 'v2', exp: claims.exp }]);
  const again = await app.inject({ method: 'POST', url: '/v2/auth/signout', headers });
  t.strictSame([again.statusCode, again.json()], [401, UNAUTHORIZED], 'the same token cannot sign out twice');
  t.match(again.headers['content-type'], /^application\/json/);
});

t.test('signout: trailing slash, any body or content type', async (t) => {
  for (const [url, payload, type] of [
    ['/v2/auth/signout/', '{"all": true}', 'application/json'],
    ['/v2/auth/signout', '{not json', 'application/json'],
    ['/v2/auth/signout', 'a=b', 'application/x-www-form-urlencoded'],
  ] as const) {
    const { app, headers } = await setup();
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { ...headers, 'content-type': type },
      payload,
    });
    t.equal(res.statusCode, 204, `${url} ${type}`);
  }
});

t.test('signout without a verified v2 token: 401 {code: 401}, nothing revoked', async (t) => {
  const { d, app, token, headers } = await setup();
  const { token: envelope } = await d.envelope.issue(ALICE);
  const envelopeHeaders = gatewayHeaders(envelope, await d.introspection.introspect(envelope));
  const other = await d.v2.issue({ ...ALICE, accountId: '1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b' });
  const cases: Array<[string, Record<string, string>]> = [
    ['no identity headers', {}],
    ['a client Authorization header only', { authorization: `Bearer ${token}` }],
    ['an envelope token', envelopeHeaders],
    ['a v2 token labelled envelope', { ...headers, [IDENTITY_HEADERS.profile]: 'envelope' }],
    ['a token id that is not the token’s', { ...headers, [IDENTITY_HEADERS.tokenId]: tokenId(other.token) }],
    ['no token header', { ...headers, [IDENTITY_HEADERS.token]: '' }],
    ['an unknown profile', { ...headers, [IDENTITY_HEADERS.profile]: 'v3' }],
  ];
  for (const [what, h] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v2/auth/signout', headers: h });
    t.strictSame([res.statusCode, res.json()], [401, UNAUTHORIZED], what);
  }
  t.equal((await d.introspection.introspect(token)).active, true, 'the v2 token lives');
  t.equal((await d.introspection.introspect(envelope)).active, true, 'the envelope token lives');
  t.strictSame(d.events.published, []);
});

t.test('signout with a token that expired after the gateway saw it: 401', async (t) => {
  const { d, app, headers } = await setup();
  d.clock.advance((V2_TTL_S + 30) * 1000);
  const res = await app.inject({ method: 'POST', url: '/v2/auth/signout', headers });
  t.strictSame([res.statusCode, res.json()], [401, UNAUTHORIZED]);
});

t.test('signout: the token’s account identity is not needed, only the token', async (t) => {
  const { d, app, token, headers } = await setup();
  const { [IDENTITY_HEADERS.username]: _u, [IDENTITY_HEADERS.subject]: _s, ...tokenOnly } = headers;
  const res = await app.inject({ method: 'POST', url: '/v2/auth/signout', headers: tokenOnly });
  t.equal(res.statusCode, 204);
  t.strictSame(await d.introspection.introspect(token), { active: false });
});

t.test('signout: Redis down → 503 {code: 503}; an oversized body → 413 {code: 413}', async (t) => {
  const { d, app, token, headers } = await setup();
  const big = await app.inject({
    method: 'POST',
    url: '/v2/auth/signout',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify({ pad: 'x'.repeat(20_000) }),
  });
  t.strictSame([big.statusCode, big.json()], [413, { code: 413, message: 'Слишком большой запрос' }]);
  d.outage.down = true;
  const res = await app.inject({ method: 'POST', url: '/v2/auth/signout', headers });
  t.strictSame(
    [res.statusCode, res.json()],
    [503, { code: 503, message: 'Сервис временно недоступен, повторите попытку позже' }],
  );
  d.outage.down = false;
  t.equal((await d.introspection.introspect(token)).active, true, 'nothing was revoked');
});
