// What delivery reports: a message its provider accepted (never a failed send or a redelivery
// acknowledged without sending), and how the observer turns a sent code into auth.code.sent
// with an id derived from the notification's (a resend is one event on the stream).
import t from 'tap';
import { EVENTS, validate, type Notification } from '@propusk/contracts';
import type { EventPublisher } from '@propusk/kit';
import { ChannelError } from '../src/channels/channel.js';
import { createDeliveryFlow } from '../src/delivery/flow.js';
import { createDeliveryObserver } from '../src/events/observer.js';
import {
  countingMetrics,
  delivery,
  memoryDeadLetters,
  memorySentMarks,
  notification,
  scriptedChannel,
} from './fixtures/fakes.js';
import { silentLog } from './fixtures/silent-log.js';

function flowWith(script: Parameters<typeof scriptedChannel>[0]) {
  const reported: Notification[] = [];
  const sent = memorySentMarks();
  const flow = createDeliveryFlow({
    channel: scriptedChannel(script),
    sent,
    deadLetters: memoryDeadLetters(),
    policy: { maxDeliveries: 3, backoffBaseMs: 1000, backoffMaxMs: 5000 },
    sendTimeoutMs: 1000,
    metrics: countingMetrics(),
    events: { sent: (n) => void reported.push(n) },
    log: silentLog,
  });
  return { flow, reported, sent };
}

t.test('reported once the provider accepted it; not for a failure or a duplicate', async (t) => {
  const { flow, reported } = flowWith([new ChannelError('telegram 502', true), 'ok']);
  const n = notification({ kind: 'admin-registration' });
  t.equal(await flow.handle(delivery(n, 1)), 'retry');
  t.same(reported, [], 'a failed send is not reported');
  t.equal(await flow.handle(delivery(n, 2)), 'sent');
  t.same(reported, [n]);
  t.equal(await flow.handle(delivery(n, 3)), 'duplicate');
  t.same(reported, [n], 'a redelivery of a sent message is not reported again');
});

function recordingPublisher() {
  const published: Array<{ name: string; event: Record<string, unknown>; id?: string }> = [];
  const publisher: EventPublisher = {
    async publish(def, fields, options) {
      const event = { id: options?.id, at: new Date().toISOString(), ...fields };
      if (!validate(def.schema, JSON.parse(JSON.stringify(event)))) throw new Error(`${def.name} invalid`);
      published.push({ name: def.name, event: fields as Record<string, unknown>, id: options?.id });
      return true;
    },
    drain: async () => undefined,
  };
  return { publisher, published };
}

t.test('a sent code becomes auth.code.sent: purpose and channel, never the text or address', async (t) => {
  const { publisher, published } = recordingPublisher();
  const observer = createDeliveryObserver(publisher);
  const code = notification({ kind: 'v2-login', channel: 'sms', to: '+79161234567', requestId: 'req-9' });
  observer.sent(code);
  observer.sent(notification({ kind: 'announcement' }));
  observer.sent(code);
  t.equal(published.length, 2, 'only code messages; the repeat is published again, with the same id');
  t.same(published[0]?.event, {
    notificationId: code.id,
    purpose: 'v2-login',
    channel: 'sms',
    requestId: 'req-9',
  });
  t.equal(published[0]?.name, EVENTS.codeSent.name);
  t.match(published[0]?.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5/, 'a derived (version 5) id');
  t.equal(published[0]?.id, published[1]?.id, 'one notification, one event id: the stream drops the repeat');
  t.notMatch(JSON.stringify(published), /\+7916|588227/, 'no phone number and no code');
});
