import t from 'tap';
import { eventually, redisReady, startRedisSentinel } from '@propusk/testkit';
import { checkRedis, closeRedis, connectRedis, createLogger, createWindowCounters } from '../src/index.js';

// REDIS_URL's Sentinel form against real processes (1 master, 1 replica, 1 Sentinel): the
// client finds the master through the Sentinel, runs scripts there, and follows a failover.
const log = createLogger({ service: 'test', level: 'silent' });

t.test('through Sentinel: the master serves; after a failover the new one does', async (t) => {
  const sentinel = await startRedisSentinel();
  t.teardown(() => sentinel.dispose());
  const redis = await redisReady(connectRedis(sentinel.url, 'propusk:sentinel-test:', log));
  t.teardown(() => closeRedis(redis));
  await checkRedis(redis);

  const counters = createWindowCounters(redis);
  const budget = [{ key: 'budget', limit: 1 }];
  t.same(await counters.take(budget, 60_000), { allowed: true }, 'a script runs on the master');
  t.match(await counters.take(budget, 60_000), { allowed: false });

  const before = await sentinel.masterPort();
  await sentinel.failover();
  t.not(await sentinel.masterPort(), before, 'the replica is master now');
  // The counter was replicated before the failover: the new master still refuses.
  await eventually(async () => (await counters.take(budget, 60_000)).allowed === false, 10_000, 50);
  await eventually(async () => (await redis.set('after-failover', '1')) === 'OK', 10_000, 50);
  t.equal(await redis.get('after-failover'), '1', 'writes go to the new master');
  await checkRedis(redis);
});
