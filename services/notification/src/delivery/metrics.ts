import type { ChannelId } from '@propusk/contracts';
import { counter } from '@propusk/kit';

/** What the delivery loop counts, by channel (served at /metrics through kit's registry). */
export interface DeliveryMetrics {
  sent(channel: ChannelId): void;
  failed(channel: ChannelId, retryable: boolean): void;
  deadLettered(channel: ChannelId): void;
  duplicate(channel: ChannelId): void;
}

let promMetrics: DeliveryMetrics | undefined;

/** Prometheus counters; registered once per process (several services in one test process share them). */
export function deliveryMetrics(): DeliveryMetrics {
  if (promMetrics) return promMetrics;
  const sent = counter('propusk_notifications_sent_total', 'Notifications handed to their provider', [
    'channel',
  ]);
  const failed = counter('propusk_notifications_failed_total', 'Failed sends, by whether they are retried', [
    'channel',
    'retryable',
  ]);
  const dead = counter('propusk_notifications_dead_lettered_total', 'Notifications given up', ['channel']);
  const duplicate = counter(
    'propusk_notifications_duplicates_total',
    'Redeliveries of notifications already sent, acknowledged without sending',
    ['channel'],
  );
  promMetrics = {
    sent: (channel) => sent.inc({ channel }),
    failed: (channel, retryable) => failed.inc({ channel, retryable: String(retryable) }),
    deadLettered: (channel) => dead.inc({ channel }),
    duplicate: (channel) => duplicate.inc({ channel }),
  };
  return promMetrics;
}
