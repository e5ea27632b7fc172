// The JetStream consumer itself (real NATS): its durable configuration, and a drain that lets
// the send in flight finish and be acknowledged while fetched-but-unstarted work goes back.
import t from 'tap';
import { jetstreamManager, AckPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { DEAD_LETTER_STREAM, namespace, notifySubject, NOTIFY_STREAM, streamName } from '@propusk/contracts';
import { connectNats, createNotificationPublisher } from '@propusk/kit';
import { eventually } from '@propusk/testkit';
import { consumerName, startChannelConsumer, type ChannelConsumer } from '../src/delivery/consumer.js';
import { createDeliveryFlow } from '../src/delivery/flow.js';
import { ensureStreams } from '../src/delivery/streams.js';
import { countingMetrics, memoryDeadLetters, memorySentMarks, scriptedChannel } from './fixtures/fakes.js';
import { freshNamespace, NATS_URL } from './fixtures/notification.js';
import { silentLog } from './fixtures/silent-log.js';

const ns = namespace(freshNamespace());
const nats = await connectNats(NATS_URL, 'consumer-test', silentLog);
const jsm = await jetstreamManager(nats.nc);
await ensureStreams(nats.nc, ns);
t.teardown(async () => {
  for (const base of [NOTIFY_STREAM, DEAD_LETTER_STREAM])
    await jsm.streams.delete(streamName(ns, base)).catch(() => undefined);
  await nats.drain();
});
const publisher = createNotificationPublisher(nats.nc, ns);
const depth = async () => (await jsm.streams.info(streamName(ns, NOTIFY_STREAM))).state.messages;

/** A channel whose sends wait until released. */
function gatedChannel() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const channel = scriptedChannel([() => gate, () => gate, () => gate]);
  return { channel, release: () => open() };
}

function consume(channel: ReturnType<typeof scriptedChannel>): ChannelConsumer {
  const flow = createDeliveryFlow({
    channel,
    sent: memorySentMarks(),
    deadLetters: memoryDeadLetters(),
    policy: { maxDeliveries: 3, backoffBaseMs: 50, backoffMaxMs: 100 },
    sendTimeoutMs: 20_000,
    metrics: countingMetrics(),
    log: silentLog,
  });
  return startChannelConsumer({
    nc: nats.nc,
    ns,
    channel: 'telegram',
    flow,
    settings: { maxDeliveries: 3, ackWaitMs: 30_000, concurrency: 1 },
    log: silentLog,
  });
}

t.test('a durable, explicitly acknowledged pull consumer filtered on its channel', async (t) => {
  const { channel } = gatedChannel();
  const consumer = consume(channel);
  t.teardown(() => consumer.stop());
  const info = await eventually(
    async () => Boolean(await jsm.consumers.info(streamName(ns, NOTIFY_STREAM), consumerName('telegram'))),
    5000,
  ).then(() => jsm.consumers.info(streamName(ns, NOTIFY_STREAM), consumerName('telegram')));
  t.match(info.config, {
    durable_name: 'notify-telegram',
    filter_subject: notifySubject(ns, 'telegram'),
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(30_000),
    max_deliver: 3 + 3,
  });
});

t.test(
  'drain: the send in flight finishes and is acknowledged; the rest stays for another replica',
  async (t) => {
    const first = gatedChannel();
    const consumer = consume(first.channel);
    await publisher.publish({ channel: 'telegram', to: '1', text: 'first', kind: 'test' });
    await publisher.publish({ channel: 'telegram', to: '2', text: 'second', kind: 'test' });
    await eventually(async () => first.channel.sends.length === 1, 5000, 20);

    let stopped = false;
    const stopping = consumer.stop().then(() => void (stopped = true));
    await new Promise((r) => setTimeout(r, 300));
    t.notOk(stopped, 'stop waits for the send in flight');
    first.release();
    await stopping;
    t.same(
      first.channel.sends.map((n) => n.text),
      ['first'],
      'nothing new began after stop',
    );
    await eventually(async () => (await depth()) === 1, 5000);

    const next = gatedChannel();
    next.release();
    const replica = consume(next.channel);
    t.teardown(() => replica.stop());
    // The stopped consumer handed the second back (nak) rather than leaving it to ack_wait
    // (30 s): it comes back well before that, even when it was still on its way to the closed pull.
    await eventually(async () => (await depth()) === 0, 10_000);
    t.same(
      next.channel.sends.map((n) => n.text),
      ['second'],
      'the first was acknowledged, only the second comes back',
    );
  },
);
