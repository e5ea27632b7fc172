// CORS at the gateway (CORS_ORIGINS, @fastify/cors): preflights for every route of the table
// from an allowed origin, before the rate limit and the token checks; actual requests (proxied
// answers and the gateway's own) readable by that origin; nothing for any other origin, and
// nothing at all when no origin is configured. The real rate limiter on the real Redis, the real
// authenticator, service stand-ins on real sockets.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import {
  closeRedis,
  ConfigError,
  connectRedis,
  createHttpServer,
  loadConfig,
  type RedisClient,
} from '@propusk/kit';
import { createAuthenticator } from '../src/auth/authenticator.js';
import { createVerifiedCache } from '../src/auth/cache.js';
import type { VerifiedToken } from '../src/auth/identity.js';
import { createKeySet } from '../src/auth/jwks.js';
import { createRevocationList } from '../src/auth/revocation.js';
import { v2Strategy } from '../src/auth/strategies.js';
import { CORS_MAX_AGE_S, corsOrigins, registerCors } from '../src/cors.js';
import { registerNotFound } from '../src/not-found.js';
import { registerProxies } from '../src/proxy.js';
import { registerRateLimit } from '../src/rate-limit/hook.js';
import { createRateLimiter } from '../src/rate-limit/limiter.js';
import { ROUTES } from '../src/routes/table.js';
import { GATEWAY_SETTINGS } from '../src/settings.js';
import { makeKey, signV2, silentLog, V2_ISSUER } from './fixtures/jwt.js';
import { serviceStandIns, type Teardown } from './fixtures/services.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_PANEL = 'https://admin.example.ru';
const FRONT_END = 'http://localhost:5173';
const STRANGER = 'https://evil.example.com';
const KEY = makeKey('kid-1');
const refuse = async (): Promise<VerifiedToken> => Promise.reject(new Error('not in this test'));

async function connected(t: Teardown): Promise<RedisClient> {
  const prefix = `propusk:t${randomBytes(4).toString('hex')}:`;
  const redis = connectRedis(REDIS_URL, prefix, silentLog);
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  t.teardown(async () => {
    const keys = await redis.keys(`${prefix}*`);
    // keys() answers full names; del() would prefix them again.
    if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
    await closeRedis(redis);
  });
  return redis;
}

/** The gateway's HTTP side in app.ts's order: CORS, rate limit, proxies (token checks), 404/405. */
async function gateway(t: Teardown, corsSetting?: string, perIp = 1000) {
  const key = await KEY;
  const keys = createKeySet({
    source: async () => ({ keys: [key.publicJwk as Record<string, unknown>] }),
    log: silentLog,
  });
  const auth = createAuthenticator({
    strategies: {
      v2: v2Strategy(keys, V2_ISSUER),
      drf: { schemes: ['bearer', 'token'], verify: refuse },
      envelope: { schemes: ['bearer'], verify: refuse },
      'admin-telegram': { schemes: ['bearer'], verify: refuse },
    },
    revocations: createRevocationList({ exists: async () => false }),
    cache: createVerifiedCache<VerifiedToken>({ max: 100 }),
    cacheTtlMs: 60_000,
  });
  const config = loadConfig(GATEWAY_SETTINGS, corsSetting === undefined ? {} : { CORS_ORIGINS: corsSetting });
  const stands = await serviceStandIns(t);
  const app = createHttpServer({ log: silentLog, readiness: {} });
  t.teardown(() => app.close());
  await registerCors(app, { origins: corsOrigins(config.CORS_ORIGINS), routes: ROUTES });
  const limiter = createRateLimiter(await connected(t), { perIp, credentialsPerIp: perIp, windowS: 60 });
  registerRateLimit(app, { limiter, routes: ROUTES, log: silentLog });
  await registerProxies(app, ROUTES, { upstreams: stands.urls, auth });
  registerNotFound(app, ROUTES);
  await app.ready();
  return { app, key, seen: stands.seen };
}

const preflight = (origin: string, method: string, headers = 'authorization, content-type') => ({
  origin,
  'access-control-request-method': method,
  'access-control-request-headers': headers,
});

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
];

t.test('CORS_ORIGINS: exact origins, comma-separated; anything else stops the start', async (t) => {
  t.equal(loadConfig(GATEWAY_SETTINGS, {}).CORS_ORIGINS, undefined, 'unset by default');
  t.same(corsOrigins(undefined), new Set(), 'no origin: no CORS');
  const list = loadConfig(GATEWAY_SETTINGS, { CORS_ORIGINS: `${ADMIN_PANEL}, ${FRONT_END}/` }).CORS_ORIGINS;
  t.same(corsOrigins(list), new Set([ADMIN_PANEL, FRONT_END]), 'a trailing slash is dropped');
  for (const wrong of [
    'https://admin.example.ru/panel',
    'https://Admin.example.ru',
    'https://a.example:443',
  ]) {
    t.throws(
      () => corsOrigins(loadConfig(GATEWAY_SETTINGS, { CORS_ORIGINS: wrong }).CORS_ORIGINS),
      ConfigError,
      wrong,
    );
  }
  t.throws(
    () => loadConfig(GATEWAY_SETTINGS, { CORS_ORIGINS: 'admin.example.ru' }),
    ConfigError,
    'no scheme',
  );
  t.throws(
    () => loadConfig(GATEWAY_SETTINGS, { CORS_ORIGINS: 'ftp://a.example' }),
    ConfigError,
    'not http(s)',
  );
});

t.test(
  'an allowed origin: the preflight of every route of the table, before limits and tokens',
  async (t) => {
    // A budget of one request per address: preflights must never spend it.
    const { app, seen } = await gateway(t, `${ADMIN_PANEL},${FRONT_END}`, 1);
    for (const route of ROUTES) {
      for (const method of route.methods) {
        for (const path of new Set([route.path, route.path.replace(/\/$/, '')])) {
          const what = `${method} ${path}`;
          const res = await app.inject({
            method: 'OPTIONS',
            url: encodeURI(path),
            headers: preflight(ADMIN_PANEL, method),
          });
          t.equal(res.statusCode, 204, what);
          t.equal(res.headers['access-control-allow-origin'], ADMIN_PANEL, `${what}: allow-origin`);
          t.equal(res.headers['access-control-allow-credentials'], 'true', `${what}: credentials`);
          t.match(
            res.headers['access-control-allow-methods'],
            new RegExp(`\\b${method}\\b`),
            `${what}: methods`,
          );
          t.match(res.headers['access-control-allow-headers'], /\bAuthorization\b/, `${what}: Authorization`);
          t.match(res.headers['access-control-allow-headers'], /\bContent-Type\b/, `${what}: Content-Type`);
          t.equal(res.headers['access-control-max-age'], String(CORS_MAX_AGE_S), `${what}: max-age`);
          t.match(res.headers.vary, /\bOrigin\b/i, `${what}: Vary: Origin`);
          t.equal(res.body, '', `${what}: no body`);
        }
      }
    }
    const other = await app.inject({
      method: 'OPTIONS',
      url: '/vk/link',
      headers: preflight(FRONT_END, 'GET'),
    });
    t.equal(other.headers['access-control-allow-origin'], FRONT_END, 'each listed origin');
    t.equal(seen.length, 0, 'no preflight reached a service');
    const first = await app.inject({ method: 'GET', url: '/vk/link', headers: { origin: FRONT_END } });
    t.equal(first.statusCode, 200, "the address's one request is still unspent");
  },
);

t.test('an allowed origin: actual requests carry allow-origin and credentials', async (t) => {
  const { app, key, seen } = await gateway(t, ADMIN_PANEL, 2);
  const token = await signV2(key);
  const proxied = await app.inject({
    method: 'POST',
    url: '/v2/auth/verification',
    headers: { origin: ADMIN_PANEL, authorization: token, 'content-type': 'application/json' },
    payload: '{"login": "a@b.ru"}',
  });
  t.equal(proxied.statusCode, 200, 'proxied with the token');
  t.same(proxied.json(), { from: 'identity' });
  t.equal(seen.at(-1)?.url, '/v2/auth/verification');
  t.equal(proxied.headers['access-control-allow-origin'], ADMIN_PANEL);
  t.equal(proxied.headers['access-control-allow-credentials'], 'true');
  t.match(proxied.headers['access-control-expose-headers'], /Retry-After/);
  t.match(proxied.headers['access-control-expose-headers'], /WWW-Authenticate/);
  t.match(proxied.headers.vary, /\bOrigin\b/i);
  t.notOk(proxied.headers['access-control-allow-methods'], 'preflight headers on preflights only');

  const refused = await app.inject({
    method: 'POST',
    url: '/v2/auth/signout',
    headers: { origin: ADMIN_PANEL },
  });
  t.equal(refused.statusCode, 401, "the gateway's own 401");
  t.same(refused.json(), { code: 401, message: 'Требуется авторизация' });
  t.equal(refused.headers['access-control-allow-origin'], ADMIN_PANEL, 'readable by the page');

  const limited = await app.inject({ method: 'GET', url: '/vk/link', headers: { origin: ADMIN_PANEL } });
  t.equal(limited.statusCode, 429, 'the third request of a budget of two');
  t.ok(limited.headers['retry-after']);
  t.equal(limited.headers['access-control-allow-origin'], ADMIN_PANEL, 'a 429 is readable too');

  const wrongMethod = await app.inject({
    method: 'GET',
    url: '/api/v1/login/',
    headers: { origin: ADMIN_PANEL },
  });
  t.equal(wrongMethod.statusCode, 405);
  t.equal(wrongMethod.headers['access-control-allow-origin'], ADMIN_PANEL, 'and a 405');
});

t.test('another origin: no CORS header, its preflight falls to the 404/405 answers', async (t) => {
  const { app, seen } = await gateway(t, ADMIN_PANEL);
  const pre = await app.inject({
    method: 'OPTIONS',
    url: '/api/v1/login/',
    headers: preflight(STRANGER, 'POST'),
  });
  t.equal(pre.statusCode, 405);
  t.equal(pre.headers.allow, 'POST');
  t.same(pre.json(), { result: { status: 405, message: 'Метод "OPTIONS" не разрешен.' }, data: {} });
  for (const h of CORS_HEADERS) t.notOk(pre.headers[h], `preflight: no ${h}`);
  const unknown = await app.inject({ method: 'OPTIONS', url: '/nope', headers: preflight(STRANGER, 'GET') });
  t.equal(unknown.statusCode, 404);
  t.notOk(unknown.headers['access-control-allow-origin']);

  const actual = await app.inject({ method: 'GET', url: '/vk/link', headers: { origin: STRANGER } });
  t.equal(actual.statusCode, 200, 'served: CORS only decides what the browser lets the page read');
  for (const h of CORS_HEADERS) t.notOk(actual.headers[h], `actual request: no ${h}`);
  const noOrigin = await app.inject({ method: 'GET', url: '/vk/link' });
  for (const h of CORS_HEADERS) t.notOk(noOrigin.headers[h], `no Origin: no ${h}`);
  t.equal(seen.length, 2, 'only the two GETs reached a service');
});

t.test('no CORS_ORIGINS: no CORS header anywhere, as before the setting', async (t) => {
  const { app } = await gateway(t);
  const pre = await app.inject({
    method: 'OPTIONS',
    url: '/v2/auth/code',
    headers: preflight(ADMIN_PANEL, 'POST'),
  });
  t.equal(pre.statusCode, 405);
  t.equal(pre.headers.allow, 'POST');
  for (const h of CORS_HEADERS) t.notOk(pre.headers[h], `preflight: no ${h}`);
  const actual = await app.inject({ method: 'GET', url: '/vk/link', headers: { origin: ADMIN_PANEL } });
  t.equal(actual.statusCode, 200);
  for (const h of CORS_HEADERS) t.notOk(actual.headers[h], `actual request: no ${h}`);
});
