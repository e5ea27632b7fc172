// Telegram notifications through the real notify stream, the real consumer and the Telegram
// stand-in: exactly once, retried on 429 after retry_after, deduplicated by id, dead-lettered.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { namespace, notifySubject } from '@propusk/contracts';
import { eventually } from '@propusk/testkit';
import { letterOf, startHarness } from './fixtures/notification.js';

const METRICS_TOKEN = 'notification-test-metrics-token-0123456789';
const h = await startHarness({ env: { NOTIFY_MAX_DELIVERIES: '3', METRICS_TOKEN } });
t.teardown(() => h.close());
const { telegram } = h;

let chat = 1000;
const nextChat = () => String(++chat);
const sentTo = (chatId: string) => telegram.sent.filter((m) => String(m.chat_id) === chatId);

t.test('a published message arrives exactly once', async (t) => {
  const to = nextChat();
  const id = await h.publisher.publish({
    channel: 'telegram',
    to,
    text: 'Код: 588227',
    kind: 'registration',
  });
  const message = await telegram.waitForMessage((m) => String(m.chat_id) === to, 10_000);
  t.equal(message.text, 'Код: 588227');
  t.equal(message.chat_id, Number(to), 'the chat id goes to Telegram as a number');
  // Give a duplicate the time it would need to show up.
  await new Promise((r) => setTimeout(r, 500));
  t.equal(sentTo(to).length, 1, `one message for ${id}`);
});

t.test('429 with retry_after 1, then 200: one message, not before a second', async (t) => {
  const to = nextChat();
  telegram.failNext(1, {
    error_code: 429,
    description: 'Too Many Requests: retry after 1',
    parameters: { retry_after: 1 },
  });
  const started = Date.now();
  await h.publisher.publish({ channel: 'telegram', to, text: 'after the flood', kind: 'registration' });
  await telegram.waitForMessage((m) => String(m.chat_id) === to, 10_000);
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 950, `delivered after ${elapsed} ms, honouring retry_after`);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(sentTo(to).length, 1);
});

t.test('the same id published twice is delivered once', async (t) => {
  const to = nextChat();
  const id = randomUUID();
  const message = { id, channel: 'telegram', to, text: 'twice', kind: 'registration' } as const;
  t.equal(await h.publisher.publish(message), id);
  t.equal(await h.publisher.publish(message), id, 'the stream recognises the id');
  await telegram.waitForMessage((m) => String(m.chat_id) === to, 10_000);
  // The marker is written just after Telegram accepted the message: the stand-in may see the
  // message a moment before Redis holds it.
  await eventually(async () => (await h.redis.exists(`notify:sent:${id}`)) === 1, 5000);

  // Past the stream's dedup window a copy would get in; the consumer's marker still stops it.
  const js = jetstream(h.nats.nc);
  await js.publish(
    notifySubject(namespace(h.ns), 'telegram'),
    JSON.stringify({ ...message, queuedAt: Date.now() }),
  );
  t.equal(await h.redis.exists(`notify:sent:${id}`), 1, 'the sent marker is kept');
  // Work queue: the copy leaves the stream once the consumer acknowledged it.
  await eventually(async () => (await h.notifyStreamDepth()) === 0, 10_000);
  t.equal(sentTo(to).length, 1, 'still one message');
});

t.test('a permanent failure (403) is one dead letter and no message', async (t) => {
  const to = nextChat();
  telegram.blockChat(to);
  const id = await h.publisher.publish({ channel: 'telegram', to, text: 'blocked', kind: 'registration' });
  let letters = await h.deadLetters('telegram');
  await eventually(async () => {
    letters = await h.deadLetters('telegram');
    return letters.some((l) => letterOf(l).notification.id === id);
  }, 10_000);
  const mine = letters.filter((l) => letterOf(l).notification.id === id);
  t.equal(mine.length, 1);
  t.match(letterOf(mine[0]!), {
    notification: { id, channel: 'telegram', to, text: 'blocked' },
    reason: /permanent failure: telegram 403/,
    deliveries: 1,
  });
  t.equal(sentTo(to).length, 0);
});

t.test('retryable failures on every delivery are dead-lettered at NOTIFY_MAX_DELIVERIES', async (t) => {
  const to = nextChat();
  telegram.failNext(3, { error_code: 502, description: 'Bad Gateway' });
  const id = await h.publisher.publish({ channel: 'telegram', to, text: 'unlucky', kind: 'registration' });
  await eventually(
    async () => (await h.deadLetters('telegram')).some((l) => letterOf(l).notification.id === id),
    10_000,
  );
  const letter = (await h.deadLetters('telegram')).map(letterOf).find((l) => l.notification.id === id);
  t.match(letter, { deliveries: 3, reason: /gave up after 3 deliveries: telegram 502/ });
  await new Promise((r) => setTimeout(r, 300));
  t.equal(sentTo(to).length, 0, 'no fourth delivery');
});

t.test('a message that is not a Notification is dead-lettered as it came', async (t) => {
  const js = jetstream(h.nats.nc);
  const before = (await h.deadLetters('telegram')).length;
  await js.publish(notifySubject(namespace(h.ns), 'telegram'), JSON.stringify({ hello: 'world' }));
  await eventually(async () => (await h.deadLetters('telegram')).length > before, 10_000);
  const raw = (await h.deadLetters('telegram')).at(-1)!;
  t.same(JSON.parse(new TextDecoder().decode(raw.data)), { hello: 'world' });
  t.match(raw.header.get('Propusk-Dead-Reason'), /^invalid notification/);
});

t.test('readiness includes JetStream; metrics count by channel', async (t) => {
  const url = h.replicas[0]!.url;
  const ready = await fetch(`${url}/readyz`);
  t.equal(ready.status, 200);
  t.match(await ready.json(), { status: 'ready', checks: { nats: 'ok', redis: 'ok', jetstream: 'ok' } });
  const metrics = await (
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  t.match(metrics, /propusk_notifications_sent_total\{channel="telegram"\} [1-9]/);
  t.match(metrics, /propusk_notifications_dead_lettered_total\{channel="telegram"\} [1-9]/);
  t.match(metrics, /propusk_notifications_failed_total\{channel="telegram",retryable="true"\} [1-9]/);
});
