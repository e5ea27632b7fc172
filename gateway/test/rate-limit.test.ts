import t from 'tap';
import { randomBytes } from 'node:crypto';
import { closeRedis, connectRedis, createHttpServer } from '@propusk/kit';
import { deleteKeys, redisReady, redisTargets, scanKeys } from '@propusk/testkit';
import { failureAnswer } from '../src/profiles/answers.js';
import { registerRateLimit } from '../src/rate-limit/hook.js';
import { createRateLimiter, rateKey } from '../src/rate-limit/limiter.js';
import { CREDENTIAL_PATHS, limitClassOf } from '../src/rate-limit/policy.js';
import { ROUTES, type RouteEntry } from '../src/routes/table.js';
import { silentLog } from './fixtures/jwt.js';

/**
 * The gateway's per-IP request budgets against the real Redis (a private key prefix), on the
 * shared single server and on a Redis Cluster: which routes are credential routes, the
 * counting, the 429 in each profile's shape with Retry-After, and failing closed on credential
 * routes when Redis cannot count; the cluster never answers CROSSSLOT.
 */
const route = (path: string) => ROUTES.find((r) => r.path === path) as RouteEntry;

// Started before the first test: awaited later, tap's root could end in between (it ends once
// its queued tests are done), and the Redis tests would then be created too late.
const REDIS_TARGETS = await redisTargets((fn) => t.teardown(fn));

t.test('credential routes: every one is in the route table; the rest are general', async (t) => {
  const paths = new Set(ROUTES.map((r) => r.path));
  for (const path of CREDENTIAL_PATHS) t.ok(paths.has(path), `${path} is routed`);
  for (const path of ['/api/v1/login/', '/api/v1/admin/auth', '/v2/auth/code', '/authorization/registration'])
    t.equal(limitClassOf(route(path)), 'credentials', path);
  for (const path of ['/api/v1/check_token/', '/v2/auth/signout', '/vk/link', '/.well-known/jwks.json'])
    t.equal(limitClassOf(route(path)), 'general', path);
  for (const path of ['/oauth2/introspect', '/oauth2/revoke'])
    t.equal(limitClassOf(route(path)), undefined, `${path}: internal callers, no address budget`);
});

t.test('429 answers: each profile its shape, Retry-After in whole seconds', async (t) => {
  t.same(failureAnswer('drf', 'too_many_requests', { retryAfterS: 12 }), {
    status: 429,
    headers: { 'retry-after': '12' },
    body: { result: { status: 429, message: 'Слишком много запросов. Повторите попытку позже.' }, data: {} },
  });
  t.same(failureAnswer('envelope', 'too_many_requests', { code: 3001, retryAfterS: 0.2 }), {
    status: 429,
    headers: { 'retry-after': '1' },
    body: { data: {}, errors: [{ code: 3001, message: 'too many attempts' }] },
  });
  t.match(failureAnswer('envelope', 'too_many_requests').body, { errors: [{ code: 3009 }] });
  t.match(failureAnswer('admin-telegram', 'too_many_requests', { retryAfterS: 3 }), {
    status: 429,
    headers: { 'retry-after': '3' },
    body: { message: /too many requests/ },
  });
  t.match(failureAnswer('v2', 'too_many_requests', { retryAfterS: 3 }), {
    status: 429,
    body: { code: 429, message: /Слишком много запросов/ },
  });
  t.match(failureAnswer('authorization', 'too_many_requests', { retryAfterS: 3 }), {
    body: { detail: /Too many requests/ },
  });
  t.same(failureAnswer('standard', 'too_many_requests', { retryAfterS: 3 }), {
    status: 429,
    headers: { 'retry-after': '3' },
    body: { error: 'temporarily_unavailable', error_description: 'too many requests; retry later' },
  });
});

for (const target of REDIS_TARGETS)
  t.test(`the limiter and the hook on the real Redis (${target.name})`, async (t) => {
    const prefix = `propusk:t${randomBytes(4).toString('hex')}:`;
    const redis = await redisReady(connectRedis(target.url, prefix, silentLog));
    const raw = await redisReady(connectRedis(target.url, '', silentLog)); // SCAN answers full names
    t.teardown(async () => {
      await deleteKeys(raw, await scanKeys(raw, `${prefix}*`));
      await Promise.all([closeRedis(redis), closeRedis(raw)]);
    });
    const limits = { perIp: 6, credentialsPerIp: 3, windowS: 30 };
    const limiter = createRateLimiter(redis, limits);

    t.test('credential requests spend both budgets; general ones only the general one', async (t) => {
      const ip = '192.0.2.10';
      for (let i = 0; i < 3; i++) t.same(await limiter.take(ip, 'credentials'), { allowed: true });
      const refused = await limiter.take(ip, 'credentials');
      t.equal(refused.allowed, false, 'the fourth credential request is refused');
      t.ok(refused.allowed === false && refused.retryAfterS >= 1 && refused.retryAfterS <= 30, 'with a wait');
      for (let i = 0; i < 3; i++)
        t.same(await limiter.take(ip, 'general'), { allowed: true }, `general ${i}`);
      t.equal((await limiter.take(ip, 'general')).allowed, false, 'the general budget is spent too');
      t.same(await limiter.take('192.0.2.11', 'credentials'), { allowed: true }, 'another address is not');
      t.equal(await redis.get(rateKey('credentials', ip)), '3', 'a refused request is not counted');
    });

    t.test('IPv6 addresses of one /64 share a budget', async (t) => {
      for (let i = 1; i <= 3; i++)
        t.same(await limiter.take(`2001:db8:1:2::${i}`, 'credentials'), { allowed: true });
      t.equal((await limiter.take('2001:db8:1:2:ffff::9', 'credentials')).allowed, false);
      t.same(
        await limiter.take('2001:db8:1:3::1', 'credentials'),
        { allowed: true },
        'the next /64 is apart',
      );
    });

    t.test('50 parallel credential requests: exactly the budget passes', async (t) => {
      const verdicts = await Promise.all(
        Array.from({ length: 50 }, () => limiter.take('192.0.2.50', 'credentials')),
      );
      t.equal(verdicts.filter((v) => v.allowed === true).length, 3);
    });

    t.test('the hook: 429 in the route profile shape before the route runs', async (t) => {
      const app = createHttpServer({ log: silentLog, readiness: {} });
      registerRateLimit(app, { limiter, routes: ROUTES, log: silentLog });
      let reached = 0;
      app.post('/api/v1/login/', async () => {
        reached++;
        return { ok: true };
      });
      app.post('/v2/auth/signout', async () => ({ ok: true }));
      app.post('/oauth2/introspect', async () => ({ active: false }));
      await app.ready();
      t.teardown(() => app.close());
      const login = () => app.inject({ method: 'POST', url: '/api/v1/login', remoteAddress: '198.51.100.7' });
      for (let i = 0; i < 3; i++) t.equal((await login()).statusCode, 200);
      const res = await login();
      t.equal(res.statusCode, 429);
      t.match(res.headers['retry-after'], /^\d+$/);
      t.same(res.json(), {
        result: { status: 429, message: 'Слишком много запросов. Повторите попытку позже.' },
        data: {},
      });
      t.equal(reached, 3, 'the refused request never reached the route');
      const signout = await app.inject({
        method: 'POST',
        url: '/v2/auth/signout',
        remoteAddress: '198.51.100.7',
      });
      t.equal(signout.statusCode, 200, 'general budget left');
      const probe = await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.7' });
      t.equal(probe.statusCode, 200, 'probes are not counted');
      const introspections = await Promise.all(
        Array.from({ length: 20 }, () =>
          app.inject({ method: 'POST', url: '/oauth2/introspect', remoteAddress: '198.51.100.8' }),
        ),
      );
      t.same(
        introspections.map((r) => r.statusCode),
        Array(20).fill(200),
        'introspection (internal callers) spends no budget: 20 answered where the budget is 6',
      );
    });

    t.test('Redis unreachable: credential routes 503, general routes go on', async (t) => {
      // Port 9 (discard): nothing listens; kit's client fails commands at once.
      const down = connectRedis('redis://127.0.0.1:9', prefix, silentLog);
      t.teardown(() => down.disconnect());
      const app = createHttpServer({ log: silentLog, readiness: {} });
      registerRateLimit(app, { limiter: createRateLimiter(down, limits), routes: ROUTES, log: silentLog });
      app.post('/api/v1/admin/auth', async () => ({ ok: true }));
      app.post('/api/v1/admin/logout', async () => ({ ok: true }));
      await app.ready();
      t.teardown(() => app.close());
      const auth = await app.inject({ method: 'POST', url: '/api/v1/admin/auth' });
      t.equal(auth.statusCode, 503);
      t.same(auth.json(), { message: 'a service is temporarily unavailable; retry later' });
      const logout = await app.inject({ method: 'POST', url: '/api/v1/admin/logout' });
      t.equal(logout.statusCode, 200);
    });

    t.test('no script answered CROSSSLOT', async (t) => {
      t.equal(await target.crossSlotErrors(), 0);
    });
  });
