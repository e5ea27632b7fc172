// The delivery decisions with a fake channel, fake sent markers and a fake dead-letter sink:
// backoff, retry_after, the delivery bound, permanent failures, dedup, stores being down.
import t from 'tap';
import { ChannelError } from '../src/channels/channel.js';
import { createDeliveryFlow, type Delivery } from '../src/delivery/flow.js';
import { backoffDelay, decideOnFailure, type RetryPolicy } from '../src/delivery/policy.js';
import {
  countingMetrics,
  delivery,
  memoryDeadLetters,
  memorySentMarks,
  notification,
  scriptedChannel,
} from './fixtures/fakes.js';
import { silentLog } from './fixtures/silent-log.js';

const POLICY: RetryPolicy = { maxDeliveries: 4, backoffBaseMs: 1000, backoffMaxMs: 5000 };

function setup(
  script: Parameters<typeof scriptedChannel>[0] = [],
  opts: { random?: number; sendTimeoutMs?: number } = {},
) {
  const channel = scriptedChannel(script);
  const sent = memorySentMarks();
  const deadLetters = memoryDeadLetters();
  const metrics = countingMetrics();
  const flow = createDeliveryFlow({
    channel,
    sent,
    deadLetters,
    policy: POLICY,
    sendTimeoutMs: opts.sendTimeoutMs ?? 1000,
    metrics,
    log: silentLog,
    now: () => 1_700_000_000_000,
    random: () => opts.random ?? 0.5,
  });
  return { channel, sent, deadLetters, metrics, flow };
}

const retryable = (retryAfterMs?: number) =>
  new ChannelError('telegram 502: Bad Gateway', true, retryAfterMs);
const permanent = () => new ChannelError('telegram 403: Forbidden: bot was blocked by the user', false);

t.test('backoff doubles per delivery with jitter in the upper half, up to the cap', async (t) => {
  const low = () => 0;
  const high = () => 0.999999;
  t.equal(backoffDelay(1, POLICY, low), 500);
  t.equal(backoffDelay(1, POLICY, high), 1000);
  t.equal(backoffDelay(2, POLICY, low), 1000);
  t.equal(backoffDelay(3, POLICY, high), 4000);
  t.equal(backoffDelay(4, POLICY, high), 5000, 'capped at backoffMaxMs');
  t.equal(backoffDelay(60, POLICY, low), 2500, 'a huge count stays capped');
  const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(2, POLICY, Math.random)));
  t.ok(spread.size > 10, 'jitter spreads the retries');
});

t.test(
  'decideOnFailure: retry_after exactly, backoff otherwise, dead letter at the bound or when permanent',
  async (t) => {
    const r = () => 0.5;
    t.same(decideOnFailure(retryable(7000), 1, POLICY, r), { action: 'retry', delayMs: 7000 });
    t.same(decideOnFailure(retryable(), 2, POLICY, r), { action: 'retry', delayMs: 1500 });
    t.match(decideOnFailure(retryable(1000), 4, POLICY, r), {
      action: 'dead-letter',
      reason: 'gave up after 4 deliveries: telegram 502: Bad Gateway',
    });
    t.match(decideOnFailure(permanent(), 1, POLICY, r), {
      action: 'dead-letter',
      reason: /^permanent failure: telegram 403/,
    });
  },
);

t.test('a successful send is marked, acknowledged and counted', async (t) => {
  const { flow, channel, sent, metrics } = setup();
  const n = notification();
  const d = delivery(n);
  t.equal(await flow.handle(d), 'sent');
  t.same(d.settlements, [{ kind: 'ack' }]);
  t.same(channel.sends, [n]);
  t.ok(sent.ids.has(n.id));
  t.same(metrics.counts, { 'sent:telegram': 1 });
});

t.test('a retryable failure naks with the backoff, then a later delivery sends', async (t) => {
  const { flow, channel, metrics } = setup([retryable(), retryable()]);
  const n = notification();
  const first = delivery(n, 1);
  t.equal(await flow.handle(first), 'retry');
  t.same(first.settlements, [{ kind: 'nak', delayMs: 750 }]);
  const second = delivery(n, 2);
  await flow.handle(second);
  t.same(second.settlements, [{ kind: 'nak', delayMs: 1500 }], 'twice as long the second time');
  const third = delivery(n, 3);
  t.equal(await flow.handle(third), 'sent');
  t.same(third.settlements, [{ kind: 'ack' }]);
  t.equal(channel.sends.length, 3);
  t.same(metrics.counts, { 'failed:telegram:true': 2, 'sent:telegram': 1 });
});

t.test("the provider's retry_after is the delay, even beyond the backoff cap", async (t) => {
  const { flow } = setup([retryable(30_000)]);
  const d = delivery(notification(), 1);
  await flow.handle(d);
  t.same(d.settlements, [{ kind: 'nak', delayMs: 30_000 }]);
});

t.test('a retryable failure on the last allowed delivery is dead-lettered and terminated', async (t) => {
  const { flow, deadLetters, metrics } = setup([retryable()]);
  const n = notification();
  const d = delivery(n, POLICY.maxDeliveries);
  t.equal(await flow.handle(d), 'dead-lettered');
  t.same(d.settlements, [{ kind: 'term' }]);
  t.same(deadLetters.letters, [
    {
      channel: 'telegram',
      letter: {
        notification: n,
        reason: 'gave up after 4 deliveries: telegram 502: Bad Gateway',
        deliveries: 4,
        failedAt: 1_700_000_000_000,
      },
    },
  ]);
  t.same(metrics.counts, { 'failed:telegram:true': 1, 'dead:telegram': 1 });
});

t.test('a permanent failure is dead-lettered on the first delivery', async (t) => {
  const { flow, deadLetters, channel } = setup([permanent()]);
  const d = delivery(notification(), 1);
  t.equal(await flow.handle(d), 'dead-lettered');
  t.same(d.settlements, [{ kind: 'term' }]);
  t.match(deadLetters.letters[0]?.letter, { deliveries: 1, reason: /^permanent failure/ });
  t.equal(channel.sends.length, 1);
});

t.test('an id already sent is acknowledged without sending again', async (t) => {
  const { flow, channel, sent, metrics } = setup();
  const n = notification();
  sent.ids.add(n.id);
  const d = delivery(n, 2);
  t.equal(await flow.handle(d), 'duplicate');
  t.same(d.settlements, [{ kind: 'ack' }]);
  t.equal(channel.sends.length, 0);
  t.same(metrics.counts, { 'duplicate:telegram': 1 });
});

t.test(
  'markers unreadable (Redis down): nak with a delay, never send blind while retries are left',
  async (t) => {
    const { flow, channel, sent } = setup();
    sent.failHas = true;
    const n = notification();
    const d = delivery(n, 1);
    t.equal(await flow.handle(d), 'retry');
    t.same(d.settlements, [{ kind: 'nak', delayMs: 750 }]);
    t.equal(channel.sends.length, 0);

    const last = delivery(n, POLICY.maxDeliveries);
    t.equal(await flow.handle(last), 'sent', 'the last delivery sends anyway: at least once');
    t.same(last.settlements, [{ kind: 'ack' }]);
    t.equal(channel.sends.length, 1);
  },
);

t.test('a marker that cannot be written after the send still acknowledges', async (t) => {
  const { flow, sent } = setup();
  sent.failMark = true;
  const d = delivery(notification());
  t.equal(await flow.handle(d), 'sent');
  t.same(d.settlements, [{ kind: 'ack' }]);
});

t.test('a dead letter that cannot be stored naks instead of terminating', async (t) => {
  const { flow, deadLetters, channel } = setup([permanent()]);
  deadLetters.failing = true;
  const n = notification();
  const d = delivery(n, POLICY.maxDeliveries);
  t.equal(await flow.handle(d), 'retry');
  t.same(d.settlements, [{ kind: 'nak', delayMs: 3750 }], 'the capped backoff');

  // The spare delivery after the bound dead-letters without sending again.
  deadLetters.failing = false;
  const spare = delivery(n, POLICY.maxDeliveries + 1);
  t.equal(await flow.handle(spare), 'dead-lettered');
  t.same(spare.settlements, [{ kind: 'term' }]);
  t.match(deadLetters.letters[0]?.letter, { deliveries: 5, reason: 'delivery limit of 4 reached' });
  t.equal(channel.sends.length, 1, 'sent only on the delivery within the bound');
});

t.test('invalid messages are dead-lettered raw and terminated, nothing is sent', async (t) => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{nope', /not JSON/],
    ['missing fields', { id: 'x' }, /invalid notification: \//],
    ['another channel', notification({ channel: 'sms' }), /channel sms on the telegram subject/],
    ['extra field', { ...notification(), code: '123456' }, /invalid notification/],
  ];
  for (const [what, payload, reason] of cases) {
    const { flow, deadLetters, channel } = setup();
    const d: Delivery & { settlements: unknown[] } = delivery(payload);
    t.equal(await flow.handle(d), 'dead-lettered', what);
    t.same(d.settlements, [{ kind: 'term' }], what);
    t.match(deadLetters.raw[0], { channel: 'telegram', reason, deliveries: 1 }, what);
    t.equal(channel.sends.length, 0, what);
  }
});

t.test('a send that does not answer in time is retried', async (t) => {
  const { flow } = setup([() => new Promise<void>(() => undefined)], { sendTimeoutMs: 50 });
  const d = delivery(notification());
  t.equal(await flow.handle(d), 'retry');
  t.same(d.settlements, [{ kind: 'nak', delayMs: 750 }]);
});

t.test('an unexpected error from a channel counts as retryable', async (t) => {
  const { flow } = setup([new Error('socket hang up')]);
  const d = delivery(notification());
  t.equal(await flow.handle(d), 'retry');
});
