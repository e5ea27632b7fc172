import t from 'tap';
import { bootSuite, gatewaySigned } from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';
import { post } from './helpers/http.js';
import { tokenId } from './helpers/tokens.js';

// Document 004 (profile drf) end to end: gateway → identity (login) and token (logout,
// check_token) over the real Postgres, Redis and NATS. Every documented answer, exact bodies.
const ok = (message: string, data: Record<string, unknown> = {}) => ({
  result: { status: 200, message },
  data,
});
const fail = (status: number, message: string) => ({ result: { status, message }, data: {} });

const LOGIN_OK = 'Авторизация прошла успешно';
const BAD_CREDENTIALS = fail(401, 'Неверные учетные данные');
const NO_LOGIN_OR_PASSWORD = fail(400, 'Отсутствует логин или пароль');
const LOGGED_OUT = ok('Выход выполнен успешно');
const TOKEN_VALID = (username: string) => ok('Токен валиден и принадлежит пользователю', { username });
const NOT_AUTHENTICATED = fail(401, 'Учетные данные не были предоставлены.');
const INVALID_TOKEN = fail(401, 'Недопустимый токен.');
const MISMATCH = fail(403, 'Имя пользователя не соответствует токену');

const USERS = [
  { username: 'staff1', password: 'qwerty123-staff', roles: ['staff' as const] },
  { username: 'root1', password: 'qwerty123-root', roles: ['superuser' as const] },
  { username: 'plain1', password: 'qwerty123-plain' },
  { username: 'other1', password: 'qwerty123-other' },
  { username: 'Пётр', password: 'qwerty123-petr', roles: ['staff' as const] },
];

t.test('document 004 through the gateway', async (t) => {
  const suite = await bootSuite();
  t.teardown(() => suite.stop());
  await createUsers(suite.databaseUrl, USERS);
  const url = suite.url;

  async function login(username: string, password: string, path = '/api/v1/login/'): Promise<string> {
    const res = await post(url, path, { json: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
    return (res.body as { data: { token: string } }).data.token;
  }

  t.test('login: 200 with a 40-hex token, the username and the role', async (t) => {
    for (const [username, password, role] of [
      ['staff1', 'qwerty123-staff', 'staff'],
      ['root1', 'qwerty123-root', 'superuser'],
      ['plain1', 'qwerty123-plain', 'no_role'],
    ]) {
      for (const path of [
        '/api/v1/login/',
        '/api/v1/login',
        '/api/v1/accounts/login/',
        '/api/v1/accounts/login',
      ]) {
        const res = await post(url, path, { json: { username, password } });
        t.equal(res.status, 200, `${path} ${username}`);
        const body = res.body as { data: { token: string } };
        t.match(body.data.token, /^[0-9a-f]{40}$/);
        t.same(body, ok(LOGIN_OK, { token: body.data.token, username, role }));
      }
    }
    const a = await login('staff1', 'qwerty123-staff');
    const b = await login('staff1', 'qwerty123-staff');
    t.not(a, b, 'one token per login');
  });

  t.test('login: 401 for a wrong password or an unknown user', async (t) => {
    for (const path of ['/api/v1/login/', '/api/v1/accounts/login']) {
      const wrong = await post(url, path, { json: { username: 'other1', password: 'not-the-password' } });
      t.equal(wrong.status, 401);
      t.same(wrong.body, BAD_CREDENTIALS);
      const unknown = await post(url, path, { json: { username: 'nobody', password: 'qwerty123-x' } });
      t.equal(unknown.status, 401);
      t.same(unknown.body, BAD_CREDENTIALS);
    }
  });

  t.test('login: 400 when the login or the password is missing', async (t) => {
    for (const json of [
      { username: 'staff1' },
      { password: 'qwerty123-staff' },
      {},
      { username: '', password: '' },
    ]) {
      const res = await post(url, '/api/v1/accounts/login/', { json });
      t.equal(res.status, 400, JSON.stringify(json));
      t.same(res.body, NO_LOGIN_OR_PASSWORD);
    }
  });

  t.test('login: 400 saying what is wrong when both are sent but unusable', async (t) => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { username: 12345, password: 'qwerty123-staff' },
        'username: Некорректный тип. Ожидалась строка, получен int.',
      ],
      [
        { username: 'u'.repeat(5000), password: 'qwerty123-staff' },
        'username: Убедитесь, что в этом поле не больше 320 символов.',
      ],
      [
        { username: 'staff1', password: 'qwerty123-staff', remember: true },
        'remember: Неизвестное поле: передаются только username и password.',
      ],
    ];
    for (const [json, message] of cases) {
      const res = await post(url, '/api/v1/login/', { json });
      t.equal(res.status, 400, message);
      t.same(res.body, fail(400, message));
    }
  });

  t.test('under /api/v1/: unknown paths 404, a wrong method 405 with Allow, in the drf shape', async (t) => {
    for (const [method, path] of [
      ['GET', '/api/v1/nope'],
      ['POST', '/api/v1/accounts/nope/'],
    ]) {
      const res = await fetch(`${url}${path}`, { method });
      t.equal(res.status, 404, `${method} ${path}`);
      t.same(await res.json(), fail(404, 'Не найдено.'), `${method} ${path}`);
    }
    for (const [method, path] of [
      ['GET', '/api/v1/login/'],
      ['PUT', '/api/v1/accounts/check_token'],
      ['DELETE', '/api/v1/logout/'],
    ]) {
      const res = await fetch(`${url}${path}`, { method });
      t.equal(res.status, 405, `${method} ${path}`);
      t.equal(res.headers.get('allow'), 'POST', `${method} ${path}: Allow`);
      t.same(await res.json(), fail(405, `Метод "${method}" не разрешен.`), `${method} ${path}`);
    }
  });

  t.test('login: malformed JSON reaches identity and is answered in the drf shape', async (t) => {
    const res = await post(url, '/api/v1/login/', { raw: '{"username": "staff1", "password": ' });
    t.equal(res.status, 400);
    t.match(res.body, { result: { status: 400, message: String }, data: {} });
  });

  t.test('a body over 16 KiB: 413 in the drf shape', async (t) => {
    const res = await post(url, '/api/v1/login/', {
      json: { username: 'staff1', password: 'x'.repeat(20_000) },
    });
    t.equal(res.status, 413);
    t.match(res.body, { result: { status: 413, message: String }, data: {} });
  });

  t.test('check_token: 200 when the token belongs to the username, with Bearer and Token', async (t) => {
    const token = await login('staff1', 'qwerty123-staff');
    for (const scheme of ['Bearer', 'Token', 'bearer', 'token']) {
      for (const path of [
        '/api/v1/check_token/',
        '/api/v1/check_token',
        '/api/v1/accounts/check_token/',
        '/api/v1/accounts/check_token',
      ]) {
        const res = await post(url, path, {
          json: { username: 'staff1' },
          headers: { authorization: `${scheme} ${token}` },
        });
        t.equal(res.status, 200, `${scheme} ${path}`);
        t.same(res.body, TOKEN_VALID('staff1'));
      }
    }
  });

  t.test('a username beyond ASCII survives the identity headers (percent-encoded UTF-8)', async (t) => {
    const token = await login('Пётр', 'qwerty123-petr');
    const res = await post(url, '/api/v1/check_token/', {
      json: { username: 'Пётр' },
      headers: { authorization: `Bearer ${token}` },
    });
    t.equal(res.status, 200);
    t.same(res.body, TOKEN_VALID('Пётр'));
  });

  t.test("check_token: 403 when the username is not the token's", async (t) => {
    const token = await login('staff1', 'qwerty123-staff');
    const res = await post(url, '/api/v1/accounts/check_token/', {
      json: { username: 'other1' },
      headers: { authorization: `Bearer ${token}` },
    });
    t.equal(res.status, 403);
    t.same(res.body, MISMATCH);
  });

  t.test('check_token: 400 without a username', async (t) => {
    const token = await login('staff1', 'qwerty123-staff');
    for (const json of [{}, { user: 'staff1' }]) {
      const res = await post(url, '/api/v1/check_token/', {
        json,
        headers: { authorization: `Token ${token}` },
      });
      t.equal(res.status, 400, JSON.stringify(json));
      t.match(res.body, { result: { status: 400, message: String }, data: {} });
    }
  });

  t.test('check_token: 401 when the token is missing or invalid', async (t) => {
    for (const path of ['/api/v1/check_token/', '/api/v1/accounts/check_token']) {
      const missing = await post(url, path, { json: { username: 'staff1' } });
      t.equal(missing.status, 401);
      t.same(missing.body, NOT_AUTHENTICATED);
      const basic = await post(url, path, {
        json: { username: 'staff1' },
        headers: { authorization: 'Basic c3RhZmYxOng=' },
      });
      t.same(basic.body, NOT_AUTHENTICATED, 'another scheme is no credentials');
      for (const token of ['0'.repeat(40), 'garbage', 'a'.repeat(39)]) {
        const invalid = await post(url, path, {
          json: { username: 'staff1' },
          headers: { authorization: `Bearer ${token}` },
        });
        t.equal(invalid.status, 401, token);
        t.same(invalid.body, INVALID_TOKEN);
      }
    }
  });

  t.test('logout: 200 with or without a token', async (t) => {
    for (const path of [
      '/api/v1/logout/',
      '/api/v1/logout',
      '/api/v1/accounts/logout/',
      '/api/v1/accounts/logout',
    ]) {
      const none = await post(url, path);
      t.equal(none.status, 200, `${path} without a token`);
      t.same(none.body, LOGGED_OUT);
      const garbage = await post(url, path, { headers: { authorization: 'Bearer garbage' } });
      t.equal(garbage.status, 200, `${path} with an invalid token`);
      t.same(garbage.body, LOGGED_OUT);
    }
  });

  t.test('after logout the same token fails on the very next request (both schemes)', async (t) => {
    for (const [scheme, path] of [
      ['Bearer', '/api/v1/logout/'],
      ['Token', '/api/v1/accounts/logout/'],
    ] as const) {
      const token = await login('staff1', 'qwerty123-staff');
      const headers = { authorization: `${scheme} ${token}` };
      const before = await post(url, '/api/v1/check_token/', { json: { username: 'staff1' }, headers });
      t.same(before.body, TOKEN_VALID('staff1'), 'valid (and now cached by the gateway)');
      const out = await post(url, path, { headers });
      t.equal(out.status, 200);
      t.same(out.body, LOGGED_OUT);
      const after = await post(url, '/api/v1/check_token/', { json: { username: 'staff1' }, headers });
      t.equal(after.status, 401, `${scheme}: refused right after logout`);
      t.same(after.body, INVALID_TOKEN);
      const again = await post(url, path, { headers });
      t.same(again.body, LOGGED_OUT, 'logging out again still answers 200');
    }
    const keep = await login('staff1', 'qwerty123-staff');
    const other = await login('staff1', 'qwerty123-staff');
    await post(url, '/api/v1/logout/', { headers: { authorization: `Bearer ${other}` } });
    const still = await post(url, '/api/v1/check_token/', {
      json: { username: 'staff1' },
      headers: { authorization: `Bearer ${keep}` },
    });
    t.same(still.body, TOKEN_VALID('staff1'), 'a logout revokes only the presented token');
  });

  t.test('a revocation the gateway did not proxy reaches it by event', async (t) => {
    // Logout straight at the token service (as another gateway replica would forward it).
    const token = await login('staff1', 'qwerty123-staff');
    const headers = { authorization: `Bearer ${token}` };
    t.same(
      (await post(url, '/api/v1/check_token/', { json: { username: 'staff1' }, headers })).body,
      TOKEN_VALID('staff1'),
    );
    const direct = await post(`http://127.0.0.1:${suite.env.TOKEN_PORT}`, '/api/v1/logout/', {
      headers: gatewaySigned(suite, 'POST', '/api/v1/logout/', {
        'x-propusk-subject': 'any',
        'x-propusk-username': 'staff1',
        'x-propusk-profile': 'drf',
        'x-propusk-token-id': tokenId(token),
        'x-propusk-roles': 'staff',
        'x-propusk-token': token,
      }),
    });
    t.equal(direct.status, 200);
    const started = Date.now();
    let after = await post(url, '/api/v1/check_token/', { json: { username: 'staff1' }, headers });
    while (after.status === 200 && Date.now() - started < 2000) {
      await new Promise((r) => setTimeout(r, 20));
      after = await post(url, '/api/v1/check_token/', { json: { username: 'staff1' }, headers });
    }
    t.same(after.body, INVALID_TOKEN);
    t.ok(Date.now() - started < 1000, `refused ${Date.now() - started} ms after the revocation`);
  });

  t.test('an envelope JWT is not a drf token', async (t) => {
    await createUsers(suite.databaseUrl, [{ username: 'jwtuser', password: 'qwerty123-jwt' }]);
    const res = await post(url, '/api/v1/auth/user/', {
      json: { username: 'jwtuser', password: 'qwerty123-jwt' },
    });
    const jwt = (res.body as { data: { token: string } }).data.token;
    const check = await post(url, '/api/v1/check_token/', {
      json: { username: 'jwtuser' },
      headers: { authorization: `Bearer ${jwt}` },
    });
    t.equal(check.status, 401);
    t.same(check.body, INVALID_TOKEN);
  });
});
