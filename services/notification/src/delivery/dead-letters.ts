import { headers, type NatsConnection } from '@nats-io/nats-core';
import { jetstream } from '@nats-io/jetstream';
import { deadLetterSubject, type ChannelId, type DeadLetter, type Namespace } from '@propusk/contracts';

/** Header on a dead letter whose payload is not a Notification (kept raw, see `publishRaw`). */
export const DEAD_REASON_HEADER = 'Propusk-Dead-Reason';
export const DEAD_DELIVERIES_HEADER = 'Propusk-Dead-Deliveries';

/** Where given-up notifications go, for an operator to inspect (stream DEAD_LETTER_STREAM). */
export interface DeadLetterSink {
  /** Resolves once JetStream stored the letter. */
  publish(channel: ChannelId, letter: DeadLetter): Promise<void>;
  /**
   * A message that is not a valid Notification cannot fill DeadLetter.notification; its bytes
   * are kept as they came, with the reason in a header.
   */
  publishRaw(
    channel: ChannelId,
    data: Uint8Array,
    reason: string,
    deliveries: number,
    key: string,
  ): Promise<void>;
}

export function createDeadLetterSink(nc: NatsConnection, ns: Namespace, timeoutMs = 5000): DeadLetterSink {
  const js = jetstream(nc, { timeout: timeoutMs });
  return {
    async publish(channel, letter) {
      // The message id makes a repeated dead-lettering (the term was lost) one letter.
      await js.publish(deadLetterSubject(ns, channel), JSON.stringify(letter), {
        msgID: `dead:${letter.notification.id}`,
      });
    },
    async publishRaw(channel, data, reason, deliveries, key) {
      const h = headers();
      h.set(DEAD_REASON_HEADER, reason.replace(/[\r\n]+/g, ' ').slice(0, 512));
      h.set(DEAD_DELIVERIES_HEADER, String(deliveries));
      await js.publish(deadLetterSubject(ns, channel), data, { msgID: `dead:${key}`, headers: h });
    },
  };
}
