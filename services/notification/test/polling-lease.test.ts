// Only one replica long-polls a bot token: a Redis lease (real Redis) decides which, and
// another replica takes over when the holder stops or dies.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { closeRedis, connectRedis, redisKeyPrefix } from '@propusk/kit';
import { eventually } from '@propusk/testkit';
import { createRedisLease, pollingLeaseKey } from '../src/bot/lease.js';
import { BOT_MESSAGES } from '../src/bot/messages.js';
import { REDIS_URL, startFakeIdentity, startHarness } from './fixtures/notification.js';
import { silentLog } from './fixtures/silent-log.js';

t.test('the lease: one holder, renew and release only by the holder, taken over after expiry', async (t) => {
  const redis = connectRedis(REDIS_URL, redisKeyPrefix(`t${randomBytes(5).toString('hex')}`), silentLog);
  await new Promise((resolve) => redis.once('ready', resolve));
  const key = 'telegram:polling-lease:42';
  t.teardown(async () => {
    await redis.del(key);
    await closeRedis(redis);
  });
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
});

t.test('two replicas: one polls; when it stops, the other takes over', async (t) => {
  const h = await startHarness({ env: { TELEGRAM_POLL_LEASE_MS: '1500' } });
  const identity = await startFakeIdentity(h.ns, ['I0HuKc']);
  t.teardown(async () => {
    await identity.close();
    await h.close();
  });
  const second = await h.startReplica();
  const [first] = h.replicas;
  const key = pollingLeaseKey(h.telegram.token);
  const holderId = await eventually(async () => Boolean(await h.redis.get(key)), 5000).then(() =>
    h.redis.get(key),
  );
  const holder = [first, second].find((r) => r?.runtime.instance === holderId);
  const other = [first, second].find((r) => r !== holder);
  t.ok(holder && other, 'one of the two replicas holds the lease');

  h.telegram.sendStart({ chatId: 5001, username: 'I0HuKc' });
  await h.telegram.waitForMessage((m) => m.chat_id === 5001, 10_000);
  // Let a second poller (if any) get the update too.
  await new Promise((r) => setTimeout(r, 500));
  t.equal(h.telegram.sent.filter((m) => m.chat_id === 5001).length, 1, 'answered once');

  await holder!.close();
  await eventually(async () => (await h.redis.get(key)) === other!.runtime.instance, 5000);
  h.telegram.sendStart({ chatId: 5002, username: 'stranger' });
  const reply = await h.telegram.waitForMessage((m) => m.chat_id === 5002, 10_000);
  t.equal(reply.text, BOT_MESSAGES.notAllowlisted, 'the other replica answers now');
});
