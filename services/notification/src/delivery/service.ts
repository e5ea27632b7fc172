import type { NatsConnection } from '@nats-io/nats-core';
import type { Namespace } from '@propusk/contracts';
import type { Logger } from '@propusk/kit';
import type { ChannelRegistry } from '../channels/channel.js';
import { startChannelConsumer, type ChannelConsumer, type ConsumerSettings } from './consumer.js';
import type { DeliveryEvents } from '../events/port.js';
import type { DeadLetterSink } from './dead-letters.js';
import { createDeliveryFlow } from './flow.js';
import type { DeliveryMetrics } from './metrics.js';
import type { RetryPolicy } from './policy.js';
import type { SentMarks } from './store.js';

export interface DeliveryDeps {
  nc: NatsConnection;
  ns: Namespace;
  channels: ChannelRegistry;
  sent: SentMarks;
  deadLetters: DeadLetterSink;
  policy: RetryPolicy;
  consumer: Omit<ConsumerSettings, 'maxDeliveries'>;
  sendTimeoutMs: number;
  metrics: DeliveryMetrics;
  events?: DeliveryEvents;
  log: Logger;
}

export interface DeliveryService {
  /** Drains every channel's consumer (see ChannelConsumer.stop). */
  stop(): Promise<void>;
}

/** One consumer per channel, each with its own flow around its channel. */
export function startDelivery(deps: DeliveryDeps): DeliveryService {
  const consumers: ChannelConsumer[] = deps.channels.all().map((channel) =>
    startChannelConsumer({
      nc: deps.nc,
      ns: deps.ns,
      channel: channel.id,
      settings: { ...deps.consumer, maxDeliveries: deps.policy.maxDeliveries },
      log: deps.log,
      flow: createDeliveryFlow({
        channel,
        sent: deps.sent,
        deadLetters: deps.deadLetters,
        policy: deps.policy,
        sendTimeoutMs: deps.sendTimeoutMs,
        metrics: deps.metrics,
        events: deps.events,
        log: deps.log,
      }),
    }),
  );
  return {
    async stop() {
      await Promise.all(consumers.map((c) => c.stop()));
    },
  };
}
