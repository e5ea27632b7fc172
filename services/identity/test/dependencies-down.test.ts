// Dependencies down: a private Redis killed mid-run (the throttle fails closed: 503, no
// password check, no token), and an unreachable Postgres (503, the attempt not counted).
import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { identityOps, namespace } from '@propusk/contracts';
import { connectNats, createRpcClient } from '@propusk/kit';
import { NATS_URL, bootIdentity } from './fixtures/identity.js';
import { silentLog } from './fixtures/silent-log.js';

const PASSWORD = 'correct horse 42';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('Redis killed: both profiles answer 503 in their shape, NATS answers unavailable', async (t) => {
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  t.teardown(() => void redis.kill('SIGKILL'));
  const identity = await bootIdentity({ REDIS_URL: `redis://127.0.0.1:${port}` });
  t.teardown(() => identity.close());
  const nats = await connectNats(NATS_URL, 'deps-test', silentLog);
  t.teardown(() => nats.drain());
  const client = createRpcClient(nats.nc, namespace(identity.ns), { timeoutMs: 5000 });
  await identity.seed({ username: 'staff1', roles: ['admin'] });
  await identity.allow('new_staff');
  await identity.start('new_staff', 1234);
  const rt = identity.started.runtime;
  await until('redis ready', () => rt.redis?.status === 'ready');

  const before = await identity.post('/api/v1/login/', { username: 'staff1', password: PASSWORD });
  t.equal(before.statusCode, 200, 'logs in while Redis is up');

  redis.kill('SIGKILL');
  await until('redis seen down', () => rt.redis?.status !== 'ready');
  const issued = identity.tokens.issued.length;

  const started = Date.now();
  const drf = await identity.post('/api/v1/login/', { username: 'staff1', password: PASSWORD });
  t.equal(drf.statusCode, 503);
  t.same(drf.json(), {
    result: { status: 503, message: 'Сервис временно недоступен, повторите попытку позже' },
    data: {},
  });
  t.ok(Date.now() - started < 1000, 'fails fast, without waiting for Redis');
  const envelope = await identity.post('/api/v1/auth/admin/', { username: 'staff1', password: PASSWORD });
  t.equal(envelope.statusCode, 503);
  t.same(envelope.json(), {
    data: { username: 'staff1' },
    errors: [{ code: 3001, message: 'service unavailable' }],
  });
  await t.rejects(
    client.call(identityOps.verifyPassword, { by: 'username', login: 'staff1', password: PASSWORD }),
    { name: 'PropuskError', code: 'unavailable', status: 503 },
  );
  const admin = await identity.post('/api/v1/admin/auth', { username: 'staff1', password: PASSWORD });
  t.equal(admin.statusCode, 503);
  t.same(admin.json(), { message: 'a service is temporarily unavailable; retry later' });
  t.equal(identity.tokens.issued.length, issued, 'no token while unthrottled');
  const code = await identity.post('/api/v1/admin/registration/code', {
    username: 'new_staff',
    password: PASSWORD,
  });
  t.equal(code.statusCode, 503, 'no code without its cooldown and pending record');
  t.same(code.json(), { message: 'a service is temporarily unavailable; retry later' });
  t.equal(identity.verification.issued.length, 0);
});

t.test('Postgres unreachable: 503, and the attempt is not counted as a failure', async (t) => {
  const identity = await bootIdentity({
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/propusk_test_does_not_exist',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '2',
  });
  t.teardown(() => identity.close());
  for (let i = 0; i < 4; i++) {
    const res = await identity.post('/api/v1/login/', { username: 'staff1', password: PASSWORD });
    t.equal(res.statusCode, 503, `attempt ${i + 1}: 503, never 429`);
    t.same(res.json().result, {
      status: 503,
      message: 'Сервис временно недоступен, повторите попытку позже',
    });
  }
  const unavailable = { message: 'a service is temporarily unavailable; retry later' };
  for (const [url, body] of [
    ['/api/v1/admin/registration/code', { username: 'new_staff', password: PASSWORD }],
    ['/api/v1/admin/auth', { username: 'staff1', password: PASSWORD }],
  ] as const) {
    const res = await identity.post(url, body);
    t.equal(res.statusCode, 503, url);
    t.same(res.json(), unavailable, url);
  }
  await t.rejects(identity.start('new_staff', 1234), { code: 'unavailable', status: 503 }, 'the bot is told');
});
