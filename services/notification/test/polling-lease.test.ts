// Only one replica long-polls a bot token: a Redis lease (real Redis) decides which, and
// another replica takes over when the holder stops or dies (the lease itself: redis-stores.test.ts).
import t from 'tap';
import { eventually } from '@propusk/testkit';
import { pollingLeaseKey } from '../src/bot/lease.js';
import { BOT_MESSAGES } from '../src/bot/messages.js';
import { startFakeIdentity, startHarness } from './fixtures/notification.js';

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
