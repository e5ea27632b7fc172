import t from 'tap';
import { IDENTITY_HEADERS } from '@propusk/contracts';
import { ALICE, buildDomain } from './fixtures/domain.js';
import { buildApp, gatewayHeaders } from './fixtures/http.js';

const LOGGED_OUT = { result: { status: 200, message: 'Выход выполнен успешно' }, data: {} };
const NO_CREDENTIALS = {
  result: { status: 401, message: 'Учетные данные не были предоставлены.' },
  data: {},
};
const NO_USERNAME = { result: { status: 400, message: 'Не передано имя пользователя' }, data: {} };
const MISMATCH = { result: { status: 403, message: 'Имя пользователя не соответствует токену' }, data: {} };
const VALID = {
  result: { status: 200, message: 'Токен валиден и принадлежит пользователю' },
  data: { username: 'staff1' },
};
const TOO_LARGE = { result: { status: 413, message: 'Слишком большой запрос.' }, data: {} };
const UNAVAILABLE = {
  result: { status: 503, message: 'Сервис временно недоступен, попробуйте позже.' },
  data: {},
};

async function setup() {
  const d = await buildDomain();
  const app = await buildApp(d);
  const { token } = await d.drf.issue(ALICE);
  const headers = gatewayHeaders(token, await d.introspection.introspect(token));
  return { d, app, token, headers };
}

t.test('drf logout: 200 without a token, on every spelling of the path', async (t) => {
  const { app, d, token } = await setup();
  for (const url of [
    '/api/v1/logout/',
    '/api/v1/logout',
    '/api/v1/accounts/logout/',
    '/api/v1/accounts/logout',
  ]) {
    const res = await app.inject({ method: 'POST', url });
    t.equal(res.statusCode, 200, url);
    t.strictSame(res.json(), LOGGED_OUT, url);
    t.match(res.headers['content-type'], /^application\/json/);
  }
  t.equal((await d.introspection.introspect(token)).active, true, 'nothing was revoked');
});

t.test('drf logout with the verified token revokes exactly that token', async (t) => {
  const { app, d, token, headers } = await setup();
  const other = await d.drf.issue(ALICE);
  const res = await app.inject({ method: 'POST', url: '/api/v1/accounts/logout/', headers });
  t.equal(res.statusCode, 200);
  t.strictSame(res.json(), LOGGED_OUT);
  t.strictSame(await d.introspection.introspect(token), { active: false }, 'the token is dead');
  t.equal((await d.introspection.introspect(other.token)).active, true, 'another login lives on');
  t.equal(d.events.published.length, 1);
  t.equal(d.events.published[0]!.jti, headers[IDENTITY_HEADERS.tokenId]);
  const again = await app.inject({ method: 'POST', url: '/api/v1/logout/', headers });
  t.strictSame([again.statusCode, again.json()], [200, LOGGED_OUT], 'a second logout still answers 200');
});

t.test('drf logout never reads Authorization; it trusts only the gateway headers', async (t) => {
  const { app, d, token } = await setup();
  for (const authorization of [`Bearer ${token}`, `Token ${token}`]) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/logout/', headers: { authorization } });
    t.strictSame([res.statusCode, res.json()], [200, LOGGED_OUT]);
  }
  t.equal((await d.introspection.introspect(token)).active, true);
});

t.test('drf logout ignores any body; oversized bodies get 413 in the drf shape', async (t) => {
  const { app, d, token, headers } = await setup();
  const bad = await app.inject({
    method: 'POST',
    url: '/api/v1/logout/',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: '{"not json',
  });
  t.strictSame([bad.statusCode, bad.json()], [200, LOGGED_OUT], 'malformed JSON is ignored');
  t.equal((await d.introspection.introspect(token)).active, false, 'and the logout happened');
  const big = await app.inject({
    method: 'POST',
    url: '/api/v1/logout/',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ x: 'a'.repeat(17 * 1024) }),
  });
  t.strictSame([big.statusCode, big.json()], [413, TOO_LARGE]);
  const weird = await app.inject({
    method: 'POST',
    url: '/api/v1/logout/',
    headers: { 'content-type': '' + '(((' },
    payload: 'x',
  });
  t.equal(weird.statusCode, 415, 'an unparsable Content-Type header');
  t.strictSame(weird.json(), {
    result: { status: 415, message: 'Неподдерживаемый тип данных в запросе.' },
    data: {},
  });
});

t.test('drf logout: Redis down with a token → 503 in the drf shape (never a false success)', async (t) => {
  const { app, d, headers } = await setup();
  d.outage.down = true;
  const res = await app.inject({ method: 'POST', url: '/api/v1/logout/', headers });
  t.strictSame([res.statusCode, res.json()], [503, UNAVAILABLE]);
  const anonymous = await app.inject({ method: 'POST', url: '/api/v1/logout/' });
  t.strictSame([anonymous.statusCode, anonymous.json()], [200, LOGGED_OUT], 'nothing to revoke: still 200');
});

t.test('drf check_token: 200 when the username matches, on every spelling of the path', async (t) => {
  const { app, headers } = await setup();
  for (const url of ['/api/v1/check_token/', '/api/v1/check_token', '/api/v1/accounts/check_token/']) {
    const res = await app.inject({ method: 'POST', url, headers, payload: { username: 'staff1' } });
    t.equal(res.statusCode, 200, url);
    t.strictSame(res.json(), VALID, url);
  }
  const form = await app.inject({
    method: 'POST',
    url: '/api/v1/check_token/',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'username=staff1',
  });
  t.strictSame([form.statusCode, form.json()], [200, VALID], 'an HTML form body (DRF FormParser)');
  const padded = await app.inject({
    method: 'POST',
    url: '/api/v1/check_token/',
    headers,
    payload: { username: ' staff1 ' },
  });
  t.strictSame(
    [padded.statusCode, padded.json()],
    [200, VALID],
    'surrounding whitespace trimmed like DRF CharField',
  );
});

t.test('drf check_token: usernames beyond ASCII arrive percent-encoded and still match', async (t) => {
  const d = await buildDomain();
  const app = await buildApp(d);
  for (const username of ['иван.петров', 'a%b', 'name with space']) {
    const { token } = await d.drf.issue({ ...ALICE, username });
    const headers = gatewayHeaders(token, await d.introspection.introspect(token));
    t.not(headers[IDENTITY_HEADERS.username], username, 'the header value is encoded');
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/check_token/',
      headers,
      payload: { username },
    });
    t.strictSame(
      [ok.statusCode, ok.json()],
      [200, { result: VALID.result, data: { username } }],
      `${username}: match`,
    );
    const encoded = headers[IDENTITY_HEADERS.username]!;
    const literal = await app.inject({
      method: 'POST',
      url: '/api/v1/check_token/',
      headers,
      payload: { username: encoded },
    });
    t.strictSame(
      [literal.statusCode, literal.json()],
      [403, MISMATCH],
      `${username}: the encoded form is not the name`,
    );
  }
  const { token } = await d.drf.issue(ALICE);
  const broken = {
    ...gatewayHeaders(token, await d.introspection.introspect(token)),
    [IDENTITY_HEADERS.username]: 'bad%E0%A4%A',
  };
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/check_token/',
    headers: broken,
    payload: { username: 'staff1' },
  });
  t.strictSame([res.statusCode, res.json()], [401, NO_CREDENTIALS], 'a malformed escape is no identity');
});

t.test('drf check_token: 403 when the username is not the token owner', async (t) => {
  const { app, headers } = await setup();
  for (const username of ['staff2', 'Staff1', 'staff1x', 'test_admin']) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/check_token/',
      headers,
      payload: { username },
    });
    t.strictSame([res.statusCode, res.json()], [403, MISMATCH], username);
  }
});

t.test('drf check_token: 400 for a missing, empty, non-string or malformed username', async (t) => {
  const { app, headers } = await setup();
  const json = { ...headers, 'content-type': 'application/json' };
  const cases: Array<[string, Record<string, string>, string | undefined]> = [
    ['no body', headers, undefined],
    ['empty object', json, '{}'],
    ['empty username', json, '{"username":""}'],
    ['blank username', json, '{"username":"   "}'],
    ['number', json, '{"username":5}'],
    ['null', json, '{"username":null}'],
    ['array', json, '{"username":["staff1"]}'],
    ['object', json, '{"username":{"$ne":null}}'],
    ['unknown field', json, '{"username":"staff1","password":"x"}'],
    ['body is an array', json, '[{"username":"staff1"}]'],
    ['body is a string', json, '"staff1"'],
    ['body is null', json, 'null'],
    ['malformed JSON', json, '{"username":'],
    ['empty JSON body', json, ''],
    ['prototype poisoning', json, '{"username":"staff1","__proto__":{"x":1}}'],
    ['text/plain', { ...headers, 'content-type': 'text/plain' }, 'username=staff1'],
    [
      'unsupported media type',
      { ...headers, 'content-type': 'application/xml' },
      '<username>staff1</username>',
    ],
    [
      'form field twice',
      { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      'username=staff1&username=x',
    ],
    [
      'form without username',
      { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      'user=staff1',
    ],
  ];
  for (const [name, h, payload] of cases) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/check_token/', headers: h, payload });
    t.strictSame([res.statusCode, res.json()], [400, NO_USERNAME], name);
  }
});

t.test('drf check_token: 401 without verified identity headers, before the body is looked at', async (t) => {
  const { app, token, headers } = await setup();
  const partial = { ...headers };
  delete partial[IDENTITY_HEADERS.username];
  const envelopeProfile = { ...headers, [IDENTITY_HEADERS.profile]: 'envelope' };
  const wrongId = { ...headers, [IDENTITY_HEADERS.tokenId]: 'AAAA' };
  const cases: Array<[string, Record<string, string>, string | undefined]> = [
    ['nothing', {}, '{"username":"staff1"}'],
    ['only Authorization', { authorization: `Bearer ${token}` }, '{"username":"staff1"}'],
    ['a header missing', partial, '{"username":"staff1"}'],
    ['a token of another profile', envelopeProfile, '{"username":"staff1"}'],
    ['a token id that does not name the token', wrongId, '{"username":"staff1"}'],
    ['no identity and a malformed body', {}, '{"username":'],
    ['no identity and an oversized body', {}, JSON.stringify({ username: 'a'.repeat(20_000) })],
  ];
  for (const [name, h, payload] of cases) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts/check_token/',
      headers: { ...h, 'content-type': 'application/json' },
      payload,
    });
    t.strictSame([res.statusCode, res.json()], [401, NO_CREDENTIALS], name);
  }
});

t.test('drf check_token: an oversized body with identity → 413 in the drf shape', async (t) => {
  const { app, headers } = await setup();
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/check_token/',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify({ username: 'a'.repeat(20_000) }),
  });
  t.strictSame([res.statusCode, res.json()], [413, TOO_LARGE]);
});
