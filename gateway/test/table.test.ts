import t from 'tap';
import { TELEGRAM_WEBHOOK_PATH, type ServiceName } from '@propusk/contracts';
import { createHttpServer } from '@propusk/kit';
import { allowAll } from './fixtures/allow-all.js';
import { registerProxies } from '../src/proxy.js';
import { profileOfPath, ROUTES, V2_CYRILLIC_CODE_PATH } from '../src/routes/table.js';
import { silentLog } from './fixtures/jwt.js';
import { serviceStandIns } from './fixtures/services.js';

const row = (path: string) => {
  const r = ROUTES.find((x) => x.path === path);
  return r && { method: r.methods.join(','), upstream: r.upstream, profile: r.profile, auth: r.auth };
};

t.test('document 004 (drf): both spellings, each with its owner and token policy', async (t) => {
  for (const base of ['/api/v1', '/api/v1/accounts']) {
    t.same(row(`${base}/login/`), { method: 'POST', upstream: 'identity', profile: 'drf', auth: 'none' });
    t.same(row(`${base}/logout/`), { method: 'POST', upstream: 'token', profile: 'drf', auth: 'optional' });
    t.same(row(`${base}/check_token/`), {
      method: 'POST',
      upstream: 'token',
      profile: 'drf',
      auth: 'required',
    });
  }
});

t.test('document 001 (envelope)', async (t) => {
  t.same(row('/api/v1/auth/admin/'), {
    method: 'POST',
    upstream: 'identity',
    profile: 'envelope',
    auth: 'none',
  });
  t.same(row('/api/v1/auth/user/'), {
    method: 'POST',
    upstream: 'identity',
    profile: 'envelope',
    auth: 'none',
  });
  t.same(row('/api/v1/auth/logout/'), {
    method: 'GET',
    upstream: 'token',
    profile: 'envelope',
    auth: 'optional',
  });
});

t.test(
  'document 000 (admin-telegram): identity without a token, logout at the token service with one',
  async (t) => {
    for (const path of [
      '/api/v1/admin/registration/code',
      '/api/v1/admin/registration',
      '/api/v1/admin/auth',
    ]) {
      t.same(
        row(path),
        { method: 'POST', upstream: 'identity', profile: 'admin-telegram', auth: 'none' },
        path,
      );
    }
    t.same(row('/api/v1/admin/logout'), {
      method: 'POST',
      upstream: 'token',
      profile: 'admin-telegram',
      auth: 'required',
    });
  },
);

t.test("Telegram's webhook goes to the notification service without a token check", async (t) => {
  t.same(row(TELEGRAM_WEBHOOK_PATH), {
    method: 'POST',
    upstream: 'notification',
    profile: 'admin-telegram',
    auth: 'none',
  });
});

/** Document 003's paths, as the document spells them (the code endpoint with a Cyrillic `с`). */
const V2_DOCUMENTED: ReadonlyArray<[path: string, upstream: ServiceName, auth: string]> = [
  ['/v2/auth/registration', 'identity', 'none'],
  ['/v2/auth/verification', 'identity', 'required'],
  ['/v2/auth/loginByPassword', 'identity', 'none'],
  ['/v2/auth/loginByPhone', 'identity', 'none'],
  ['/v2/auth/passwordRecovery', 'identity', 'none'],
  ['/v2/auth/\u0441ode', 'identity', 'none'],
  ['/v2/auth/code', 'identity', 'none'],
  ['/v2/auth/password', 'identity', 'required'],
  ['/v2/auth/signout', 'token', 'required'],
];

/** Document 002's paths and DESIGN's callbacks. */
const AUTHORIZATION_DOCUMENTED: ReadonlyArray<[method: string, path: string, upstream: ServiceName]> = [
  ['POST', '/authorization/registration', 'identity'],
  ['POST', '/authorization/login/email', 'identity'],
  ['POST', '/authorization/login/phone/number', 'identity'],
  ...['vk', 'mail.ru', 'yandex'].flatMap((p) =>
    ['link', 'callback', 'get/token', 'registration', 'login'].map((op): [string, string, ServiceName] => [
      'GET',
      `/${p}/${op}`,
      'federation',
    ]),
  ),
  ['GET', '/validate/jwt/access', 'token'],
  ['GET', '/validate/jwt/refresh', 'token'],
];

t.test(
  'document 003 (v2): identity, signout at the token service; token required where it proves the account',
  async (t) => {
    t.equal(encodeURI(V2_CYRILLIC_CODE_PATH), '/v2/auth/%D1%81ode', "the document's spelling");
    for (const [path, upstream, auth] of V2_DOCUMENTED) {
      t.same(row(path), { method: 'POST', upstream, profile: 'v2', auth }, path);
    }
  },
);

t.test('document 002 (authorization): no token check anywhere; owners per path', async (t) => {
  for (const [method, path, upstream] of AUTHORIZATION_DOCUMENTED) {
    t.same(row(path), { method, upstream, profile: 'authorization', auth: 'none' }, path);
  }
});

/** DESIGN, "Beyond the documents": discovery, JWKS, RFC 7662 and RFC 7009, all the token service's. */
const STANDARD: ReadonlyArray<[method: string, path: string]> = [
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/.well-known/jwks.json'],
  ['POST', '/oauth2/introspect'],
  ['POST', '/oauth2/revoke'],
];

t.test('the standard endpoints: the token service, no token check at the gateway', async (t) => {
  for (const [method, path] of STANDARD) {
    t.same(row(path), { method, upstream: 'token', profile: 'standard', auth: 'none' }, path);
  }
});

t.test('logout routes revoke; no path is listed twice', async (t) => {
  t.same(
    ROUTES.filter((r) => r.revokes).map((r) => r.path),
    [
      '/api/v1/logout/',
      '/api/v1/accounts/logout/',
      '/api/v1/auth/logout/',
      '/api/v1/admin/logout',
      '/v2/auth/signout',
    ],
  );
  t.equal(new Set(ROUTES.map((r) => r.path)).size, ROUTES.length);
  t.equal(ROUTES.length, 14 + V2_DOCUMENTED.length + AUTHORIZATION_DOCUMENTED.length + STANDARD.length);
});

t.test(
  'every documented path of 002 and 003 and every standard endpoint is routed, with and without a trailing slash',
  async (t) => {
    const { urls, seen } = await serviceStandIns(t);
    const app = createHttpServer({ log: silentLog, readiness: {} });
    await registerProxies(app, ROUTES, { upstreams: urls, auth: allowAll });
    t.teardown(() => app.close());
    const cases: Array<[string, string, ServiceName]> = [
      ...V2_DOCUMENTED.map(([path, upstream]): [string, string, ServiceName] => ['POST', path, upstream]),
      ...AUTHORIZATION_DOCUMENTED,
      ...STANDARD.map(([method, path]): [string, string, ServiceName] => [method, path, 'token']),
    ];
    for (const [method, path, upstream] of cases) {
      for (const url of [path, `${path}/`]) {
        const res = await app.inject({
          method: method as 'GET' | 'POST',
          url,
          payload: method === 'POST' ? '{}' : undefined,
        });
        t.equal(res.statusCode, 200, `${method} ${url}`);
        t.equal(seen.at(-1)?.service, upstream, `${method} ${url} → ${upstream}`);
        t.equal(decodeURIComponent(seen.at(-1)?.url ?? ''), url, `${method} ${url} arrives as sent`);
      }
    }
    t.equal(seen.length, cases.length * 2);
  },
);

t.test(
  "under /api/v1/: /admin/ is document 000's, /auth/ document 001's, everything else 004's",
  async (t) => {
    t.equal(profileOfPath('/api/v1/admin/nope'), 'admin-telegram');
    t.equal(profileOfPath('/api/v1/admin'), 'admin-telegram');
    t.equal(profileOfPath('/api/v1/admin/'), 'admin-telegram');
    t.equal(profileOfPath('/api/v1/auth/nope'), 'envelope');
    t.equal(profileOfPath('/api/v1/auth'), 'envelope');
    t.equal(profileOfPath('/api/v1/auth/admin/x'), 'envelope');
    t.equal(profileOfPath('/api/v1/administrator'), 'drf');
    t.equal(profileOfPath('/api/v1/authorize'), 'drf');
    t.equal(profileOfPath('/api/v1/nope'), 'drf');
    t.equal(profileOfPath('/api/v1/accounts/nope/'), 'drf');
    t.equal(profileOfPath('/api/v1'), 'drf');
    t.equal(profileOfPath('/api/v2/login'), undefined);
    t.equal(profileOfPath('/api'), undefined);
    t.equal(profileOfPath('/'), undefined);
  },
);

t.test("unknown paths under /v2/ are document 003's, under 002's prefixes 002's", async (t) => {
  t.equal(profileOfPath('/v2/auth/nope'), 'v2');
  t.equal(profileOfPath('/v2'), 'v2');
  t.equal(profileOfPath('/v2/auth/%D1%81ode/x'), 'v2');
  t.equal(profileOfPath('/v22'), undefined);
  for (const path of ['/authorization/nope', '/vk/nope', '/mail.ru/x', '/yandex', '/validate/jwt/other']) {
    t.equal(profileOfPath(path), 'authorization', path);
  }
  t.equal(profileOfPath('/validate/other'), undefined);
  t.equal(profileOfPath('/mail/ru'), undefined);
});
