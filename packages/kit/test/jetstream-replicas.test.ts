import t from 'tap';
import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM, namespace, NOTIFY_STREAM, DEAD_LETTER_STREAM, streamName } from '@propusk/contracts';
import { eventually, startNatsCluster } from '@propusk/testkit';
import {
  connectNats,
  CORE_SETTINGS,
  createLogger,
  ensureEventStream,
  ensureNotifyStreams,
  ensureStream,
  loadConfig,
  natsServers,
} from '../src/index.js';

// NATS_URL's list form and JETSTREAM_REPLICAS (README, "Configuration"): streams are created
// and updated with the configured replicas on a 3-node cluster; a single server asked for 3
// says why it cannot.
const log = createLogger({ service: 'test', level: 'silent' });
const SHARED_NATS = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

function freshNs() {
  return namespace(`kr${randomBytes(4).toString('hex')}`);
}

/** Servers holding the stream: its leader and the replicas it reports. */
async function placement(jsm: JetStreamManager, stream: string): Promise<number> {
  const info = await jsm.streams.info(stream);
  return info.cluster?.leader ? 1 + (info.cluster.replicas?.length ?? 0) : 0;
}

/** The same for a consumer. */
async function consumerPlacement(jsm: JetStreamManager, stream: string, name: string): Promise<number> {
  const info = await jsm.consumers.info(stream, name);
  return info.cluster?.leader ? 1 + (info.cluster.replicas?.length ?? 0) : 0;
}

/** A new placement takes effect in the background: the leader elected, replicas caught up. */
const settlesOn = (n: number, read: () => Promise<number>) =>
  eventually(async () => (await read()) === n, 10_000);

t.test('NATS_URL takes one server or a comma-separated list; a bad entry names it', async (t) => {
  t.same(loadConfig(CORE_SETTINGS, {}).NATS_URL, ['nats://127.0.0.1:4222']);
  t.same(
    loadConfig(CORE_SETTINGS, { NATS_URL: 'nats://10.0.0.1:4222, nats://10.0.0.2:4222,tls://n3:4222' })
      .NATS_URL,
    ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222', 'tls://n3:4222'],
  );
  for (const bad of ['nats://a:4222,not a url', 'nats://a:4222,,nats://b:4222', 'nats://a:4222,http://b']) {
    t.throws(() => loadConfig(CORE_SETTINGS, { NATS_URL: bad }), {
      name: 'ConfigError',
      variable: 'NATS_URL',
    });
  }
  t.same(natsServers('nats://a:1, nats://b:2'), ['nats://a:1', 'nats://b:2'], 'a string is split too');
});

t.test('JETSTREAM_REPLICAS is a whole number from 1 to 5, 1 by default', async (t) => {
  t.equal(loadConfig(CORE_SETTINGS, {}).JETSTREAM_REPLICAS, 1);
  t.equal(loadConfig(CORE_SETTINGS, { JETSTREAM_REPLICAS: '3' }).JETSTREAM_REPLICAS, 3);
  for (const bad of ['0', '6', 'three']) {
    t.throws(() => loadConfig(CORE_SETTINGS, { JETSTREAM_REPLICAS: bad }), {
      name: 'ConfigError',
      variable: 'JETSTREAM_REPLICAS',
    });
  }
});

t.test('on a 3-node cluster', async (t) => {
  const cluster = await startNatsCluster();
  t.teardown(() => cluster.dispose());
  // The list form, as a service gets it from NATS_URL.
  const nats = await connectNats(cluster.url, 'replicas-test', log);
  t.teardown(() => nats.drain());
  const jsm = await jetstreamManager(nats.nc);

  t.test('streams are created with 3 replicas', async (t) => {
    const ns = freshNs();
    await ensureNotifyStreams(nats.nc, ns, 3);
    await ensureEventStream(nats.nc, ns, 3);
    for (const base of [NOTIFY_STREAM, DEAD_LETTER_STREAM, EVENTS_STREAM]) {
      const name = streamName(ns, base);
      t.equal((await jsm.streams.info(name)).config.num_replicas, 3, `${name}: R3`);
      t.equal(await placement(jsm, name), 3, `${name}: on three servers`);
    }
  });

  t.test('a stream created with 1 replica is updated to 3, its durable consumer with it', async (t) => {
    const name = `KR${randomBytes(4).toString('hex').toUpperCase()}_R1`;
    await ensureStream(nats.nc, { name, subjects: [`${name.toLowerCase()}.>`], num_replicas: 1 });
    await jsm.consumers.add(name, { durable_name: 'worker', ack_policy: 'explicit' as never });
    t.equal(await placement(jsm, name), 1, 'one server at first');

    await ensureStream(nats.nc, { name, subjects: [`${name.toLowerCase()}.>`], num_replicas: 3 });
    t.equal((await jsm.streams.info(name)).config.num_replicas, 3, 'the stream says R3');
    await settlesOn(3, () => placement(jsm, name));
    t.pass('and is on three servers');
    await settlesOn(3, () => consumerPlacement(jsm, name, 'worker'));
    t.pass('the consumer followed its stream');

    await ensureStream(nats.nc, { name, subjects: [`${name.toLowerCase()}.>`], num_replicas: 3 });
    t.pass('ensuring again changes nothing');
  });

  t.test('more replicas than servers: the error says so', async (t) => {
    const name = `KR${randomBytes(4).toString('hex').toUpperCase()}_R5`;
    await t.rejects(ensureStream(nats.nc, { name, subjects: [`${name.toLowerCase()}.>`], num_replicas: 5 }), {
      message:
        /could not create stream .* with 5 replicas: .*JETSTREAM_REPLICAS=5 needs a NATS cluster with at least 5/,
    });
  });
});

t.test('a single server asked for 3 replicas says it is not clustered', async (t) => {
  const nats = await connectNats(SHARED_NATS, 'replicas-single-test', log);
  const jsm = await jetstreamManager(nats.nc);
  const ns = freshNs();
  t.teardown(async () => {
    for (const base of [NOTIFY_STREAM, DEAD_LETTER_STREAM])
      await jsm.streams.delete(streamName(ns, base)).catch(() => undefined);
    await nats.drain();
  });
  await t.rejects(ensureNotifyStreams(nats.nc, ns, 3), {
    message:
      /could not create stream \S+ with 3 replicas: replicas > 1 not supported in non-clustered mode\. JETSTREAM_REPLICAS=3 needs a NATS cluster/,
  });

  await ensureNotifyStreams(nats.nc, ns, 1);
  await t.rejects(ensureNotifyStreams(nats.nc, ns, 3), {
    message: /could not change stream \S+ from 1 to 3 replicas: .*not clustered or has fewer/,
  });
  t.equal((await jsm.streams.info(streamName(ns, NOTIFY_STREAM))).config.num_replicas, 1, 'left as it was');
});
