import { nanos, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { notifySubject, NOTIFY_STREAM, streamName, type ChannelId, type Namespace } from '@propusk/contracts';
import type { Logger } from '@propusk/kit';
import type { Delivery, DeliveryFlow } from './flow.js';
import { isNotFound } from './streams.js';

/**
 * Deliveries the server allows beyond NOTIFY_MAX_DELIVERIES. They are never used to send: they
 * let a message whose dead letter could not be stored on its last delivery come back and be
 * dead-lettered then, instead of staying in the stream unconsumed once max_deliver is reached.
 */
export const DEAD_LETTER_SPARE_DELIVERIES = 3;

export interface ConsumerSettings {
  maxDeliveries: number;
  ackWaitMs: number;
  concurrency: number;
}

export function consumerName(channel: ChannelId): string {
  return `notify-${channel}`;
}

/** One durable pull consumer per channel (filtered on its subject), shared by every replica. */
export function consumerConfig(
  ns: Namespace,
  channel: ChannelId,
  s: ConsumerSettings,
): Partial<ConsumerConfig> {
  return {
    durable_name: consumerName(channel),
    filter_subject: notifySubject(ns, channel),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(s.ackWaitMs),
    max_deliver: s.maxDeliveries + DEAD_LETTER_SPARE_DELIVERIES,
    max_ack_pending: 1000,
    // No num_replicas: 0 means "as many as the stream" (JETSTREAM_REPLICAS), and the server moves
    // the consumer along when the stream's replicas change
    // (https://docs.nats.io/nats-concepts/jetstream/consumers#replicas).
  };
}

/** Creates the consumer, or brings an existing one to the configured limits. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  ns: Namespace,
  channel: ChannelId,
  s: ConsumerSettings,
): Promise<void> {
  const stream = streamName(ns, NOTIFY_STREAM);
  const config = consumerConfig(ns, channel, s);
  let existing;
  try {
    existing = await jsm.consumers.info(stream, consumerName(channel));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!existing) {
    await jsm.consumers.add(stream, config);
    return;
  }
  const c = existing.config;
  if (c.ack_wait !== config.ack_wait || c.max_deliver !== config.max_deliver) {
    await jsm.consumers.update(stream, consumerName(channel), {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
    });
  }
}

export interface ChannelConsumerOptions {
  nc: NatsConnection;
  ns: Namespace;
  channel: ChannelId;
  flow: DeliveryFlow;
  settings: ConsumerSettings;
  log: Logger;
}

export interface ChannelConsumer {
  /** Stops fetching, hands back what was fetched but not started, waits for the sends in flight. */
  stop(): Promise<void>;
}

function toDelivery(m: JsMsg): Delivery {
  return {
    data: m.data,
    deliveryCount: m.info.deliveryCount,
    key: `${m.info.stream}:${m.info.streamSequence}`,
    ack: () => m.ack(),
    nak: (delayMs) => m.nak(delayMs),
    term: () => m.term(),
  };
}

/**
 * How long one pull request waits on the server. nats.js sends idle heartbeats every half of it
 * and, after two are missed, checks the consumer and pulls again: when the NATS node leading the
 * consumer dies, the pending pull dies with it, and this bounds how long delivery stalls (about
 * twice this with the re-check's backoff) before the consumer's new leader is asked. The
 * library's default (30 s) stalled deliveries for a minute after a node loss.
 */
export const PULL_EXPIRES_MS = 5000;

/**
 * Ends a pull without stranding what it fetched. `close()` unsubscribes at once: a message the
 * server had already sent to the pull's inbox is then dropped by the client, and JetStream hands
 * it to another replica only after ack_wait (30 s). Draining the subscription first (UNSUB, then
 * a PING/PONG round trip) lets every message sent before the server saw the UNSUB still arrive,
 * so the pull loop can nak it; the server assigns nothing new to an inbox without interest.
 * nats.js has no public drain for a consumer's iterator, though its own code expects the
 * subscription to be drained ("if (this.sub.isDraining())" in consumer.js ends the iterator);
 * hence the reach into `sub`, with `close()` as the fallback if that field ever goes away.
 */
async function closeDrained(iter: ConsumerMessages): Promise<void> {
  const sub = (iter as unknown as { sub?: Subscription }).sub;
  if (sub && !sub.isClosed() && !sub.isDraining()) await sub.drain().catch(() => undefined);
  await iter.close().catch(() => undefined);
}

/** Consumer notifications after which the consumer is looked up (and created) again. */
const RECREATE_ON = new Set(['consumer_deleted', 'consumer_not_found', 'stream_not_found']);

/**
 * Runs one channel's consumer until stopped: pulls with kit's NATS connection (which
 * reconnects forever; `consume` re-issues its pulls after a reconnect), handles up to
 * `concurrency` messages at once, and starts over (ensuring the consumer) whenever the pull
 * loop ends on its own.
 */
export function startChannelConsumer(opts: ChannelConsumerOptions): ChannelConsumer {
  const { nc, ns, channel, flow, settings, log } = opts;
  const stream = streamName(ns, NOTIFY_STREAM);
  const js = jetstream(nc);
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let messages: ConsumerMessages | undefined;
  let wakeUp: (() => void) | undefined;

  async function handleOne(m: JsMsg): Promise<void> {
    // The message may have waited in the pull buffer: restart its ack_wait now that work begins.
    m.working();
    try {
      await flow.handle(toDelivery(m));
    } catch (err) {
      log.error({ err, channel }, 'delivery failed unexpectedly; handing the message back');
      m.nak(settings.ackWaitMs / 10);
    }
  }

  async function watch(iter: ConsumerMessages): Promise<void> {
    for await (const status of iter.status()) {
      if (RECREATE_ON.has(status.type)) {
        log.warn({ channel, status: status.type }, 'notification consumer lost; recreating');
        await iter.close();
        return;
      }
      if (status.type === 'heartbeats_missed')
        log.warn({ channel, count: status.count }, 'consumer heartbeats missed');
    }
  }

  async function pullUntilEnd(): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await ensureConsumer(jsm, ns, channel, settings);
    const consumer = await js.consumers.get(stream, consumerName(channel));
    if (stopping) return;
    const iter = await consumer.consume({ max_messages: settings.concurrency, expires: PULL_EXPIRES_MS });
    messages = iter;
    if (stopping) await closeDrained(iter);
    void watch(iter).catch(() => undefined);
    for await (const m of iter) {
      while (inFlight.size >= settings.concurrency) await Promise.race(inFlight);
      if (stopping) {
        // Fetched but not begun: back to the stream at once, for another replica.
        m.nak();
        continue;
      }
      const p: Promise<void> = handleOne(m).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  }

  async function pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wakeUp = undefined;
  }

  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      try {
        await pullUntilEnd();
        failures = 0;
      } catch (err) {
        failures++;
        if (!stopping)
          log.warn({ err: (err as Error).message, channel }, 'notification consumer unavailable');
      }
      if (!stopping) await pause(Math.min(5000, 250 * 2 ** failures));
    }
  })();

  return {
    async stop() {
      stopping = true;
      wakeUp?.();
      if (messages) await closeDrained(messages);
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}
