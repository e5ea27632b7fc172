import t from 'tap';
import { createPrismaClient } from '@propusk/db';
import { bootSuite } from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';
import { get, post } from './helpers/http.js';
import { decodePart, verifiesWith } from './helpers/jws.js';

// Document 001 (profile envelope) end to end: gateway → identity (admin/user login, the token
// service signs over NATS) and token (logout, after the gateway verified the JWT locally).
const BAD_CREDENTIALS = (username?: string) => ({
  data: username === undefined ? {} : { username },
  errors: [{ code: 3001, message: 'bad credentials' }],
});
const LOGGED_OUT = { data: { redirect: '/go/here/after/logout' } };
const LOGOUT_FAILED = {
  data: { redirect: '/go/here/after/failed/logout' },
  errors: [{ code: 3002, message: 'logout failure' }],
};

/** Same claims in the same second sign to the same JWT (document 001 has no jti): tokens that must differ wait. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));

const USERS = [
  { username: 'test_admin', password: 'test_admin_pasword1', roles: ['admin' as const] },
  { username: 'test_root', password: 'test_root_pasword1', roles: ['superuser' as const] },
  { username: 'test_user', password: 'test_user_pasword1' },
  { username: 'test_staff', password: 'test_staff_pasword1', roles: ['staff' as const] },
  { username: 'staff1', password: 'qwerty123-staff', roles: ['staff' as const] },
];

t.test('document 001 through the gateway', async (t) => {
  const suite = await bootSuite();
  t.teardown(() => suite.stop());
  await createUsers(suite.databaseUrl, USERS);
  const url = suite.url;

  async function login(path: string, username: string, password: string): Promise<string> {
    const res = await post(url, path, { json: { username, password } });
    if (res.status !== 200) throw new Error(`${path} ${username}: ${res.status} ${res.text}`);
    return (res.body as { data: { token: string } }).data.token;
  }

  t.test('admin login: 200 with an RS256 JWT carrying exactly iss, username, admin, iat, exp', async (t) => {
    const prisma = createPrismaClient(suite.databaseUrl);
    t.teardown(() => prisma.$disconnect());
    for (const [username, password] of [
      ['test_admin', 'test_admin_pasword1'],
      ['test_root', 'test_root_pasword1'],
    ]) {
      for (const path of ['/api/v1/auth/admin/', '/api/v1/auth/admin']) {
        const res = await post(url, path, { json: { username, password } });
        t.equal(res.status, 200, `${path} ${username}`);
        const token = (res.body as { data: { token: string } }).data.token;
        t.same(res.body, { data: { token } }, 'nothing but data.token');
        const header = decodePart(token, 0);
        t.match(header, { alg: 'RS256', typ: 'JWT', kid: String });
        const claims = decodePart(token, 1);
        t.same(Object.keys(claims).sort(), ['admin', 'exp', 'iat', 'iss', 'username']);
        t.match(claims, { iss: 'digeocache', username, admin: true });
        t.equal(Number(claims.exp) - Number(claims.iat), 7200, '2 hours');
        const key = await prisma.signingKey.findUnique({ where: { kid: String(header.kid) } });
        t.ok(
          key && verifiesWith(token, key.publicJwk as Record<string, unknown>),
          'signed by the published key',
        );
      }
    }
  });

  t.test(
    'admin login: 401 3001 for a wrong password, an unknown user, and a user without the role',
    async (t) => {
      const cases: Array<[string, string]> = [
        ['test_admin', 'wrong-password-1'],
        ['nobody', 'test_admin_pasword1'],
        ['test_user', 'test_user_pasword1'],
        ['test_staff', 'test_staff_pasword1'],
      ];
      for (const [username, password] of cases) {
        const res = await post(url, '/api/v1/auth/admin/', { json: { username, password } });
        t.equal(res.status, 401, username);
        t.same(res.body, BAD_CREDENTIALS(username));
      }
    },
  );

  t.test('user login: 200 for every account, admin claim by role', async (t) => {
    for (const [username, password, admin] of [
      ['test_user', 'test_user_pasword1', false],
      ['test_staff', 'test_staff_pasword1', false],
      ['test_admin', 'test_admin_pasword1', true],
      ['test_root', 'test_root_pasword1', true],
    ] as const) {
      for (const path of ['/api/v1/auth/user/', '/api/v1/auth/user']) {
        const res = await post(url, path, { json: { username, password } });
        t.equal(res.status, 200, `${path} ${username}`);
        const token = (res.body as { data: { token: string } }).data.token;
        t.same(res.body, { data: { token } });
        t.match(decodePart(token, 1), { iss: 'digeocache', username, admin });
      }
    }
  });

  t.test('user login: 401 3001 with the username echoed', async (t) => {
    const res = await post(url, '/api/v1/auth/user/', {
      json: { username: 'test_user', password: 'nope-nope-1' },
    });
    t.equal(res.status, 401);
    t.same(res.body, BAD_CREDENTIALS('test_user'));
    const missing = await post(url, '/api/v1/auth/user/', { json: { username: 'test_user' } });
    t.equal(missing.status, 400);
    t.same(missing.body, BAD_CREDENTIALS('test_user'), 'missing password: bad credentials, username echoed');
    const malformed = await post(url, '/api/v1/auth/user/', { raw: '{"username": ' });
    t.equal(malformed.status, 400, 'malformed JSON reaches identity');
    t.match(malformed.body, { data: {}, errors: [{ code: 3001 }] });
  });

  t.test('under /api/v1/auth/: unknown paths 404, a wrong method 405 with Allow, enveloped', async (t) => {
    for (const path of ['/api/v1/auth/nope', '/api/v1/auth/']) {
      const res = await fetch(`${url}${path}`, { method: 'POST' });
      t.equal(res.status, 404, path);
      t.same(await res.json(), { data: {}, errors: [{ code: 3008, message: 'not found' }] }, path);
    }
    // The route's documented code, as on every other answer of the gateway there.
    for (const [method, path, allow, code] of [
      ['GET', '/api/v1/auth/admin/', 'POST', 3001],
      ['PUT', '/api/v1/auth/user', 'POST', 3001],
      ['POST', '/api/v1/auth/logout/', 'GET', 3002],
    ] as const) {
      const res = await fetch(`${url}${path}`, { method });
      t.equal(res.status, 405, `${method} ${path}`);
      t.equal(res.headers.get('allow'), allow, `${method} ${path}: Allow`);
      t.same(await res.json(), { data: {}, errors: [{ code, message: 'method not allowed' }] });
    }
  });

  t.test('a body over 16 KiB: 413 in the envelope shape', async (t) => {
    const res = await post(url, '/api/v1/auth/admin/', {
      json: { username: 'test_admin', password: 'x'.repeat(20_000) },
    });
    t.equal(res.status, 413);
    t.same(res.body, { data: {}, errors: [{ code: 3001, message: 'request body too large' }] });
  });

  t.test('logout: 200 with the redirect; the same token fails on the very next request', async (t) => {
    for (const path of ['/api/v1/auth/logout/', '/api/v1/auth/logout']) {
      await nextSecond();
      const token = await login('/api/v1/auth/user/', 'test_user', 'test_user_pasword1');
      await nextSecond();
      const other = await login('/api/v1/auth/user/', 'test_user', 'test_user_pasword1');
      t.not(other, token);
      const out = await get(url, path, { headers: { authorization: `Bearer ${token}` } });
      t.equal(out.status, 200, path);
      t.same(out.body, LOGGED_OUT);
      const again = await get(url, path, { headers: { authorization: `Bearer ${token}` } });
      t.equal(again.status, 401, 'refused right after logout');
      t.same(again.body, LOGOUT_FAILED);
      const second = await get(url, path, { headers: { authorization: `bearer ${other}` } });
      t.same(second.body, LOGGED_OUT, 'another token of the same account was still valid');
    }
  });

  t.test('logout: the 3002 failure without a token, with a garbage one, or in another scheme', async (t) => {
    const jwt = await login('/api/v1/auth/admin/', 'test_admin', 'test_admin_pasword1');
    const drf = await post(url, '/api/v1/login/', {
      json: { username: 'staff1', password: 'qwerty123-staff' },
    });
    const drfToken = (drf.body as { data: { token: string } }).data.token;
    const cases: Array<[string, Record<string, string>]> = [
      ['no token', {}],
      ['garbage', { authorization: 'Bearer garbage' }],
      ['a tampered JWT', { authorization: `Bearer ${jwt.slice(0, -6)}AAAAAA` }],
      ['Token scheme is drf only', { authorization: `Token ${jwt}` }],
      ['a drf token', { authorization: `Bearer ${drfToken}` }],
    ];
    for (const [what, headers] of cases) {
      const res = await get(url, '/api/v1/auth/logout/', { headers });
      t.equal(res.status, 401, what);
      t.same(res.body, LOGOUT_FAILED, what);
    }
    const still = await get(url, '/api/v1/auth/logout/', { headers: { authorization: `Bearer ${jwt}` } });
    t.same(still.body, LOGGED_OUT, 'the real token was untouched by the failures');
  });
});
