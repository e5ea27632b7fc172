import t from 'tap';
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { namespace, NOTIFY_STREAM, DEAD_LETTER_STREAM, streamName } from '@propusk/contracts';
import { createNotificationPublisher, ensureNotifyStreams } from '../src/index.js';

t.test('the publisher creates the streams, waits for the ack and deduplicates by id', async (t) => {
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const ns = namespace(`k${randomBytes(4).toString('hex')}`);
  const jsm = await jetstreamManager(nc);
  t.teardown(async () => {
    for (const base of [NOTIFY_STREAM, DEAD_LETTER_STREAM])
      await jsm.streams.delete(streamName(ns, base)).catch(() => {});
    await nc.close();
  });
  const publisher = createNotificationPublisher(nc, ns);
  const id = await publisher.publish({ channel: 'telegram', to: '42', text: 'hello', kind: 'test' });
  await publisher.publish({ id, channel: 'telegram', to: '42', text: 'hello', kind: 'test' });
  const info = await jsm.streams.info(streamName(ns, NOTIFY_STREAM));
  t.equal(info.state.messages, 1, 'one message for two publishes of one id');
  t.ok(await jsm.streams.info(streamName(ns, DEAD_LETTER_STREAM)), 'the dead-letter stream exists');
  await ensureNotifyStreams(nc, ns);
  t.pass('ensuring again is harmless');
});

t.test('a closed connection answers unavailable', async (t) => {
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  await nc.close();
  const publisher = createNotificationPublisher(nc, namespace('kclosed'));
  await t.rejects(publisher.publish({ channel: 'sms', to: '+79160000000', text: 'x', kind: 'test' }), {
    code: 'unavailable',
  });
});

t.test('a publish that meets no stream for a moment is sent again, and stored once', async (t) => {
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const ns = namespace(`k${randomBytes(4).toString('hex')}`);
  const jsm = await jetstreamManager(nc);
  const notify = streamName(ns, NOTIFY_STREAM);
  t.teardown(async () => {
    for (const base of [NOTIFY_STREAM, DEAD_LETTER_STREAM])
      await jsm.streams.delete(streamName(ns, base)).catch(() => {});
    await nc.close();
  });
  const publisher = createNotificationPublisher(nc, ns, { timeoutMs: 5000 });
  await publisher.publish({ channel: 'sms', to: '+79160000001', text: 'first', kind: 'test' });
  // What a stream leader's death looks like to a publisher: nobody acknowledges for a while.
  const config = (await jsm.streams.info(notify)).config;
  await jsm.streams.delete(notify);
  const sent = publisher.publish({ channel: 'sms', to: '+79160000001', text: 'second', kind: 'test' });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await jsm.streams.add(config);
  t.ok(await sent, 'queued once the stream is back, within the budget');
  t.equal((await jsm.streams.info(notify)).state.messages, 1, 'stored once');

  const short = createNotificationPublisher(nc, ns, { timeoutMs: 400 });
  await short.publish({ channel: 'sms', to: '+79160000001', text: 'ensures', kind: 'test' });
  await jsm.streams.delete(notify);
  const started = Date.now();
  await t.rejects(short.publish({ channel: 'sms', to: '+79160000001', text: 'third', kind: 'test' }), {
    code: 'unavailable',
  });
  t.ok(Date.now() - started < 2000, 'unavailable once the budget is spent');
});
