import t, { type Test } from 'tap';
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import {
  EVENTS,
  EVENTS_STREAM,
  HEADERS,
  namespace,
  streamName,
  validate,
  type Namespace,
} from '@propusk/contracts';
import {
  createEventPublisher,
  createLogger,
  derivedEventId,
  ensureEventStream,
  EVENTS_DEDUP_WINDOW_MS,
  EVENTS_MAX_AGE_MS,
  registry,
  withRequestId,
} from '../src/index.js';

// The domain-event publisher against the real NATS/JetStream: the stream it ensures, what it
// puts on the wire, dedup by id, refusal of events outside their schema, and what happens when
// JetStream cannot take an event (logged and counted, never thrown).

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const ACCOUNT = randomUUID();

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    service: 'test',
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
        cb();
      },
    }),
  });
  return { log, lines };
}

async function setup(t: Test): Promise<{ nc: NatsConnection; ns: Namespace }> {
  const nc = await connect({ servers: NATS_URL });
  const ns = namespace(`ke${randomBytes(4).toString('hex')}`);
  const jsm = await jetstreamManager(nc);
  t.teardown(async () => {
    await jsm.streams.delete(streamName(ns, EVENTS_STREAM)).catch(() => {});
    await nc.close();
  });
  return { nc, ns };
}

/** Every message now in the namespace's events stream, read by an ordered consumer. */
async function stored(nc: NatsConnection, ns: Namespace): Promise<JsMsg[]> {
  const jsm = await jetstreamManager(nc);
  const count = (await jsm.streams.info(streamName(ns, EVENTS_STREAM))).state.messages;
  const consumer = await jetstream(nc).consumers.get(streamName(ns, EVENTS_STREAM));
  const out: JsMsg[] = [];
  while (out.length < count) {
    const m = await consumer.next({ expires: 2000 });
    if (!m) break;
    out.push(m);
  }
  return out;
}

async function metricValue(event: string, outcome: string): Promise<number> {
  const metric = await registry.getSingleMetric('propusk_events_published_total')?.get();
  const found = metric?.values.find((v) => v.labels.event === event && v.labels.outcome === outcome);
  return found?.value ?? 0;
}

t.test(
  'the events stream: every auth subject of the namespace, file storage, limits, dedup window',
  async (t) => {
    const { nc, ns } = await setup(t);
    await ensureEventStream(nc, ns);
    await ensureEventStream(nc, ns);
    const info = await (await jetstreamManager(nc)).streams.info(streamName(ns, EVENTS_STREAM));
    t.same(info.config.subjects, [`${ns.prefix}auth.>`]);
    t.equal(info.config.retention, RetentionPolicy.Limits, 'every subscriber reads every event');
    t.equal(info.config.storage, StorageType.File);
    t.equal(info.config.max_age, nanos(EVENTS_MAX_AGE_MS), 'kept a week');
    t.equal(info.config.duplicate_window, nanos(EVENTS_DEDUP_WINDOW_MS));
  },
);

t.test(
  'an event goes out on its subject with id, time and the request id; its id is the Nats-Msg-Id',
  async (t) => {
    const { nc, ns } = await setup(t);
    const { log } = capturingLog();
    const publisher = createEventPublisher(nc, ns, { log });
    const before = await metricValue('login.failed', 'ok');
    const ok = await withRequestId('req-events-0001', () =>
      publisher.publish(EVENTS.loginFailed, {
        profile: 'drf',
        method: 'password',
        by: 'username',
        reason: 'wrong_password',
        accountId: ACCOUNT,
      }),
    );
    t.equal(ok, true, 'acknowledged');
    const [msg, ...rest] = await stored(nc, ns);
    t.equal(rest.length, 0, 'one message');
    t.equal(msg!.subject, `${ns.prefix}auth.login.failed`);
    const event = msg!.json<Record<string, unknown>>();
    t.ok(validate(EVENTS.loginFailed.schema, event), 'matches its schema');
    t.match(event, {
      id: /^[0-9a-f-]{36}$/,
      at: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
      requestId: 'req-events-0001',
      reason: 'wrong_password',
      accountId: ACCOUNT,
    });
    t.ok(Math.abs(Date.parse(event.at as string) - Date.now()) < 10_000, '`at` is now');
    t.equal(msg!.headers?.get('Nats-Msg-Id'), event.id, 'the event id dedups on the stream');
    t.equal(
      msg!.headers?.get(HEADERS.requestId),
      'req-events-0001',
      'the request id travels as a header too',
    );
    t.equal(await metricValue('login.failed', 'ok'), before + 1, 'counted as published');
  },
);

t.test('fields left undefined are absent; a request id in the fields wins over the scope', async (t) => {
  const { nc, ns } = await setup(t);
  const publisher = createEventPublisher(nc, ns, { log: capturingLog().log });
  await withRequestId('scope-id', () =>
    publisher.publish(EVENTS.loginSucceeded, {
      accountId: ACCOUNT,
      method: 'password',
      profile: undefined,
      requestId: 'own-id',
    }),
  );
  await publisher.publish(EVENTS.codeVerified, { purpose: 'v2-login' });
  const [first, second] = (await stored(nc, ns)).map((m) => m.json<Record<string, unknown>>());
  t.same(Object.keys(first!).sort(), ['accountId', 'at', 'id', 'method', 'requestId']);
  t.equal(first!.requestId, 'own-id');
  t.notOk('requestId' in second!, 'no request in progress: no requestId');
});

t.test('one id published twice is stored once (at-least-once, deduplicated by id)', async (t) => {
  const { nc, ns } = await setup(t);
  const publisher = createEventPublisher(nc, ns, { log: capturingLog().log });
  const id = derivedEventId('notification', randomUUID());
  const before = await metricValue('code.sent', 'duplicate');
  const fields = { notificationId: randomUUID(), purpose: 'v2-login', channel: 'sms' } as const;
  t.equal(await publisher.publish(EVENTS.codeSent, fields, { id }), true);
  t.equal(await publisher.publish(EVENTS.codeSent, fields, { id }), true, 'a duplicate is no failure');
  const all = await stored(nc, ns);
  t.equal(all.length, 1, 'one message for two publishes of one id');
  t.equal(all[0]!.json<{ id: string }>().id, id);
  t.equal(await metricValue('code.sent', 'duplicate'), before + 1, 'counted as a duplicate');
});

t.test('derived ids are stable version-5 uuids, different for different inputs', async (t) => {
  const a = derivedEventId('code.sent', '7f6e0d2e-4a8b-4c11-9a3f-1b2c3d4e5f60');
  t.equal(a, derivedEventId('code.sent', '7f6e0d2e-4a8b-4c11-9a3f-1b2c3d4e5f60'));
  t.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.not(a, derivedEventId('code.sent', '7f6e0d2e-4a8b-4c11-9a3f-1b2c3d4e5f61'));
  t.not(derivedEventId('a', 'bc'), derivedEventId('ab', 'c'), 'parts are not simply concatenated');
});

t.test('an event outside its schema is not published: logged without its values, counted', async (t) => {
  const { nc, ns } = await setup(t);
  const { log, lines } = capturingLog();
  const publisher = createEventPublisher(nc, ns, { log });
  const before = await metricValue('user.registered', 'invalid');
  const bad = {
    accountId: ACCOUNT,
    profile: 'v2',
    method: 'password',
    email: 'ivan@example.ru',
  } as unknown as Parameters<typeof publisher.publish<typeof EVENTS.userRegistered>>[1];
  t.equal(await publisher.publish(EVENTS.userRegistered, bad), false);
  t.equal(await metricValue('user.registered', 'invalid'), before + 1);
  const line = lines.find((l) => l.msg === 'domain event does not match its schema; not published');
  t.ok(line, 'logged as an error');
  t.equal(line?.level, 50);
  t.notMatch(JSON.stringify(lines), /ivan@example\.ru/, 'the value is not in the log');
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(streamName(ns, EVENTS_STREAM)).catch(() => undefined);
  t.equal(info?.state.messages ?? 0, 0, 'nothing stored');
});

t.test('JetStream unreachable: retried, then logged and counted, never thrown', async (t) => {
  const nc = await connect({ servers: NATS_URL });
  await nc.close();
  const { log, lines } = capturingLog();
  const publisher = createEventPublisher(nc, namespace('keclosed'), {
    log,
    attempts: 3,
    backoffMs: 10,
    timeoutMs: 200,
  });
  const before = await metricValue('session.revoked', 'failed');
  const started = Date.now();
  const result = await publisher.publish(EVENTS.sessionRevoked, {
    jti: 'token-digest-secret-part',
    profile: 'v2',
    exp: 2_000_000_000,
  });
  t.equal(result, false, 'answers false rather than throwing');
  t.ok(Date.now() - started >= 30, 'waited between attempts (10 ms, then 20 ms)');
  t.equal(await metricValue('session.revoked', 'failed'), before + 1, 'counted once, after the last attempt');
  const errors = lines.filter((l) => l.msg === 'domain event not published');
  t.equal(errors.length, 1);
  t.match(errors[0], { level: 50, event: 'session.revoked', eventId: /^[0-9a-f-]{36}$/, attempts: 3 });
  t.notMatch(JSON.stringify(lines), /token-digest-secret-part/, 'the event body is not logged');
});

t.test('drain waits for the publishes in flight', async (t) => {
  const { nc, ns } = await setup(t);
  const publisher = createEventPublisher(nc, ns, { log: capturingLog().log });
  let settled = 0;
  for (let i = 0; i < 5; i++)
    void publisher.publish(EVENTS.codeIssued, { purpose: 'v2-login', channel: 'sms' }).then(() => settled++);
  await publisher.drain();
  // `then` callbacks of the publishes run before drain's own continuation.
  await new Promise((r) => setImmediate(r));
  t.equal(settled, 5, 'every publish settled');
  t.equal((await stored(nc, ns)).length, 5);
});

t.test('a stream deleted under a running publisher is made again on the next attempt', async (t) => {
  const { nc, ns } = await setup(t);
  const publisher = createEventPublisher(nc, ns, { log: capturingLog().log, backoffMs: 10 });
  t.equal(await publisher.publish(EVENTS.codeVerified, { purpose: 'v2-login' }), true);
  await (await jetstreamManager(nc)).streams.delete(streamName(ns, EVENTS_STREAM));
  t.equal(await publisher.publish(EVENTS.codeVerified, { purpose: 'v2-recovery' }), true);
  const all = await stored(nc, ns);
  t.same(
    all.map((m) => m.json<{ purpose: string }>().purpose),
    ['v2-recovery'],
    'stored in the new stream',
  );
});
