// The notification service's Redis records on the shared single server and on a Redis
// Cluster: the polling lease (its renew and release scripts), the dev outbox (a MULTI) and
// the sent markers; the cluster never answers CROSSSLOT.
import t, { type Test } from 'tap';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeRedis, connectRedis, redisKeyPrefix, type RedisClient } from '@propusk/kit';
import {
  deleteKeys,
  eventually,
  redisReady,
  redisTargets,
  scanKeys,
  type RedisUnderTest,
} from '@propusk/testkit';
import { createRedisLease } from '../src/bot/lease.js';
import { createDevOutboxChannel, readDevOutbox } from '../src/channels/dev-outbox.js';
import { createRedisSentMarks } from '../src/delivery/redis-store.js';
import { silentLog } from './fixtures/silent-log.js';

// Started before the first test: awaited later, tap's root could end in between (it ends once
// its queued tests are done), and the Redis tests would then be created too late.
const REDIS_TARGETS = await redisTargets((fn) => t.teardown(fn));

function leaseTest(t: Test, redis: RedisClient) {
  t.test(
    'the lease: one holder, renew and release only by the holder, taken over after expiry',
    async (t) => {
      const key = 'telegram:polling-lease:42';
      const a = createRedisLease(redis, key, 'a', 600);
      const b = createRedisLease(redis, key, 'b', 600);
      t.equal(await a.acquire(), true);
      t.equal(await a.acquire(), true, 'already its own');
      t.equal(await b.acquire(), false);
      t.equal(await b.renew(), false);
      await b.release();
      t.equal(await redis.get(key), 'a', "b cannot release a's lease");
      t.equal(await a.renew(), true);
      t.ok((await redis.pttl(key)) > 400, 'renewed to the full time');

      // a dies without releasing: after the lease time b takes over, and a can no longer renew.
      await eventually(() => b.acquire(), 3000, 50);
      t.equal(await a.renew(), false);
      await a.release();
      t.equal(await redis.get(key), 'b', "a's late release does not touch b's lease");
      await b.release();
      t.equal(await redis.get(key), null);
    },
  );
}

function devOutboxTest(t: Test, redis: RedisClient) {
  t.test('the dev outbox: newest first, capped in the same step', async (t) => {
    const channel = createDevOutboxChannel({ channel: 'sms', redis, log: silentLog, size: 2 });
    for (const text of ['Код: 111111', 'Код: 222222', 'Код: 333333']) {
      await channel.send({
        id: randomUUID(),
        channel: 'sms',
        to: '+79001234567',
        text,
        kind: 'login',
        queuedAt: Date.now(),
      });
    }
    t.same(
      (await readDevOutbox(redis)).map((e) => e.text),
      ['Код: 333333', 'Код: 222222'],
      'the two newest',
    );
  });
}

function sentMarksTest(t: Test, redis: RedisClient) {
  t.test('sent markers: set once sent, expiring', async (t) => {
    const marks = createRedisSentMarks(redis, 60);
    const id = randomUUID();
    t.equal(await marks.has(id), false);
    await marks.mark(id);
    t.equal(await marks.has(id), true);
  });
}

async function storeTests(t: Test, target: RedisUnderTest) {
  const prefix = redisKeyPrefix(`t${randomBytes(5).toString('hex')}`);
  const redis = await redisReady(connectRedis(target.url, prefix, silentLog));
  const raw = await redisReady(connectRedis(target.url, '', silentLog)); // SCAN answers full names
  t.teardown(async () => {
    await deleteKeys(raw, await scanKeys(raw, `${prefix}*`));
    await Promise.all([closeRedis(redis), closeRedis(raw)]);
  });
  leaseTest(t, redis);
  devOutboxTest(t, redis);
  sentMarksTest(t, redis);
  t.test('no script or command answered CROSSSLOT', async (t) => {
    t.equal(await target.crossSlotErrors(), 0);
  });
}

for (const target of REDIS_TARGETS) t.test(target.name, (t) => storeTests(t, target));
