import t from 'tap';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connectRedis, createLogger, redisKeyPrefix } from '@propusk/kit';
import { devOutboxKey } from '@propusk/contracts';

const ROOT = new URL('../../..', import.meta.url).pathname;

function authctl(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/authctl/src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('outbox show prints the dev outbox of the namespace, newest first', async (t) => {
  const ns = `o${randomBytes(4).toString('hex')}`;
  const redis = connectRedis(
    'redis://127.0.0.1:6379',
    redisKeyPrefix(ns),
    createLogger({ service: 't', level: 'silent' }),
  );
  await new Promise((resolve) => redis.once('ready', resolve));
  t.teardown(async () => {
    await redis.del(devOutboxKey());
    redis.disconnect();
  });
  const empty = authctl({ PROPUSK_NAMESPACE: ns }, 'outbox', 'show');
  t.equal(empty.code, 0, empty.err);
  t.match(empty.out, /empty/);

  const entry = (text: string, at: number) =>
    JSON.stringify({
      id: randomBytes(4).toString('hex'),
      channel: 'sms',
      to: '+79161234567',
      text,
      kind: 'v2-login',
      at,
    });
  await redis.lpush(
    devOutboxKey(),
    entry('Код подтверждения: 111111', 1),
    entry('Код подтверждения: 222222', 2),
  );
  const shown = authctl({ PROPUSK_NAMESPACE: ns }, 'outbox', 'show', '--limit', '1');
  t.equal(shown.code, 0, shown.err);
  t.match(shown.out, /sms\t\+79161234567\tКод подтверждения: 222222/, 'the newest entry');
  t.notMatch(shown.out, /111111/, '--limit 1 shows one');
});

t.test('outbox show: a bad limit is a usage error; Redis down is said plainly', async (t) => {
  const bad = authctl({}, 'outbox', 'show', '--limit', 'zero');
  t.equal(bad.code, 2);
  t.match(bad.err, /--limit/);
  const down = authctl({ REDIS_URL: 'redis://127.0.0.1:1' }, 'outbox', 'show');
  t.equal(down.code, 1);
  t.match(down.err, /Redis is not reachable/);
});
