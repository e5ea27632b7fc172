// The Redis throttle store against the real Redis, on the shared single server and on a Redis
// Cluster: atomic under concurrency, windows, prefix; counters of different slots (an account's
// and an IP's) taken together; the cluster never answers CROSSSLOT.
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { closeRedis, connectRedis, redisKeyPrefix } from '@propusk/kit';
import { deleteKeys, redisReady, redisTargets, scanKeys, type RedisUnderTest } from '@propusk/testkit';
import {
  accountCounterKey,
  delayKey,
  ipCounterKey,
  knownAddressesKey,
  pairCounterKey,
} from '../src/throttle/keys.js';
import { createRedisThrottleStore } from '../src/throttle/redis-store.js';
import { silentLog } from './fixtures/silent-log.js';

// Started before the first test: awaited later, tap's root could end in between (it ends once
// its queued tests are done), and the Redis tests would then be created too late.
const REDIS_TARGETS = await redisTargets((fn) => t.teardown(fn));

const WINDOW = 60_000;

async function throttleTests(t: Test, target: RedisUnderTest) {
  const prefix = redisKeyPrefix(`t${randomBytes(5).toString('hex')}`);
  const redis = await redisReady(connectRedis(target.url, prefix, silentLog));
  const raw = await redisReady(connectRedis(target.url, '', silentLog));
  t.teardown(async () => {
    await deleteKeys(raw, await scanKeys(raw, `${prefix}*`));
    await closeRedis(redis);
    await closeRedis(raw);
  });
  const store = createRedisThrottleStore(redis);

  t.test('takes under the limit, refuses at it without changing anything', async (t) => {
    const counters = [{ key: 'a1', limit: 2 }];
    t.same(await store.take(counters, WINDOW), { allowed: true });
    t.same(await store.take(counters, WINDOW), { allowed: true });
    const refused = await store.take(counters, WINDOW);
    t.equal(refused.allowed, false);
    const wait = (refused as { retryAfterMs: number }).retryAfterMs;
    t.ok(wait > WINDOW - 5000 && wait <= WINDOW, `retryAfterMs ${wait}`);
    t.equal(await raw.get(`${prefix}a1`), '2', 'stored under the namespace prefix');
    const ttl = await raw.pttl(`${prefix}a1`);
    t.ok(ttl > 0 && ttl <= WINDOW, 'the window expires');
  });

  t.test('one counter at its limit refuses the take on every counter', async (t) => {
    await store.take([{ key: 'b-full', limit: 1 }], WINDOW);
    const r = await store.take(
      [
        { key: 'b-other', limit: 5 },
        { key: 'b-full', limit: 1 },
      ],
      WINDOW,
    );
    t.equal(r.allowed, false);
    t.equal(await redis.get('b-other'), null, 'the other counter was not counted');
  });

  t.test('concurrent takes are counted exactly', async (t) => {
    const results = await Promise.all(
      Array.from({ length: 60 }, () => store.take([{ key: 'c', limit: 10 }], WINDOW)),
    );
    t.equal(results.filter((r) => r.allowed).length, 10);
    t.equal(await redis.get('c'), '10');
  });

  t.test('giveBack takes one back, deletes at zero, keeps the window', async (t) => {
    await store.take([{ key: 'd', limit: 5 }], WINDOW);
    await store.take([{ key: 'd', limit: 5 }], WINDOW);
    await store.giveBack(['d']);
    t.equal(await redis.get('d'), '1');
    t.ok((await redis.pttl('d')) > 0);
    await store.giveBack(['d']);
    t.equal(await redis.exists('d'), 0);
    await store.giveBack(['d', 'never-seen']);
    t.equal(await redis.exists('d'), 0, 'never below zero');
  });

  t.test('clear deletes; a window ends by itself', async (t) => {
    await store.take([{ key: 'e', limit: 1 }], WINDOW);
    await store.clear(['e']);
    t.same(await store.take([{ key: 'e', limit: 1 }], WINDOW), { allowed: true });
    await store.take([{ key: 'f', limit: 1 }], 150);
    t.equal((await store.take([{ key: 'f', limit: 1 }], 150)).allowed, false);
    await new Promise((r) => setTimeout(r, 200));
    t.same(await store.take([{ key: 'f', limit: 1 }], 150), { allowed: true });
  });

  t.test('a counter left without expiry gets one instead of blocking forever', async (t) => {
    await redis.set('g', '3');
    const r = await store.take([{ key: 'g', limit: 3 }], WINDOW);
    t.same(r, { allowed: false, retryAfterMs: WINDOW });
    t.ok((await redis.pttl('g')) > 0);
  });

  t.test(
    'an account and an IP counter (two slots of a cluster): taken together, refused together',
    async (t) => {
      const account = { key: accountCounterKey('alice@example.ru'), limit: 1 };
      const ip = { key: ipCounterKey('203.0.113.7'), limit: 2 };
      t.same(await store.take([account, ip], WINDOW), { allowed: true });
      const refused = await store.take([account, ip], WINDOW);
      t.equal(refused.allowed, false, 'the account is at its limit');
      t.equal(await redis.get(ip.key), '1', 'the IP counter was given back');
      await store.clear([account.key, ip.key]);
      t.equal(await redis.exists(account.key), 0);
      t.equal(await redis.exists(ip.key), 0);
    },
  );

  t.test('progressive delay: set past the threshold, doubling, capped; known addresses exempt', async (t) => {
    const keysFor = (ip: string) => ({
      pair: pairCounterKey('account:delay', ip),
      account: accountCounterKey('account:delay'),
      delay: delayKey('account:delay', ip),
      known: knownAddressesKey('account:delay'),
      bucket: ip,
    });
    const rule = { after: 2, maxMs: 4000 };
    const a = keysFor('203.0.113.1');
    const take = (k: typeof a) =>
      store.take(
        [
          { key: k.pair, limit: 10 },
          { key: k.account, limit: Number.MAX_SAFE_INTEGER },
        ],
        WINDOW,
      );
    await take(a);
    t.equal(await store.delayAfterFailure(a, rule), 0, 'below the threshold: no delay');
    t.equal(await store.delayLeft(a.delay), 0);
    const delays = [];
    for (let i = 0; i < 4; i++) {
      await take(a);
      delays.push(await store.delayAfterFailure(a, rule));
    }
    t.same(delays, [2000, 4000, 4000, 4000], '2^(failures-1) s, capped');
    const left = await store.delayLeft(a.delay);
    t.ok(left > 3000 && left <= 4000, `the delay key lives as long (${left} ms)`);

    const owner = keysFor('198.51.100.1');
    await store.remember(owner, 2, WINDOW);
    await take(owner);
    t.equal(await store.delayAfterFailure(owner, rule), 0, 'a known address is never delayed');
    for (const ip of ['198.51.100.2', '198.51.100.3']) await store.remember(keysFor(ip), 2, WINDOW);
    t.same(
      await redis.zrange(owner.known, 0, -1),
      ['198.51.100.2', '198.51.100.3'],
      'only the newest addresses are kept',
    );
    t.ok((await redis.pttl(owner.known)) > 0, 'and they expire');
  });

  t.test('no script or command answered CROSSSLOT', async (t) => {
    t.equal(await target.crossSlotErrors(), 0);
  });
}

for (const target of REDIS_TARGETS) t.test(target.name, (t) => throttleTests(t, target));

t.test('Redis unreachable: every call rejects at once', async (t) => {
  const down = connectRedis('redis://127.0.0.1:1', 'propusk:down:', silentLog);
  t.teardown(() => down.disconnect());
  const dead = createRedisThrottleStore(down);
  const started = Date.now();
  await t.rejects(dead.take([{ key: 'h', limit: 1 }], WINDOW));
  await t.rejects(dead.giveBack(['h']));
  await t.rejects(dead.clear(['h']));
  await t.rejects(dead.delayLeft('h'));
  t.ok(Date.now() - started < 1000, 'no queueing while down');
});
