import { issues, Notification, validate } from '@propusk/contracts';
import type { Logger } from '@propusk/kit';
import { ChannelError, type Channel } from '../channels/channel.js';
import { NO_DELIVERY_EVENTS, type DeliveryEvents } from '../events/port.js';
import type { DeadLetterSink } from './dead-letters.js';
import type { DeliveryMetrics } from './metrics.js';
import { backoffDelay, decideOnFailure, type RetryPolicy } from './policy.js';
import type { SentMarks } from './store.js';

/** One delivery of one stream message, as the flow needs it (a JetStream JsMsg in production). */
export interface Delivery {
  readonly data: Uint8Array;
  /** 1 on the first delivery, counted by the server across replicas and restarts. */
  readonly deliveryCount: number;
  /** Names the message when its payload cannot (an invalid one). */
  readonly key: string;
  ack(): void;
  nak(delayMs?: number): void;
  /**
   * Never redeliver. No reason is sent with it: servers before 2.10 do not understand
   * `+TERM <reason>` and would leave the message pending (the reason is in the dead letter).
   */
  term(): void;
}

export type Outcome = 'sent' | 'duplicate' | 'retry' | 'dead-lettered';

export interface DeliveryFlowDeps {
  channel: Channel;
  sent: SentMarks;
  deadLetters: DeadLetterSink;
  policy: RetryPolicy;
  sendTimeoutMs: number;
  metrics: DeliveryMetrics;
  /** Reports sent messages (auth.code.sent for codes). */
  events?: DeliveryEvents;
  log: Logger;
  now?: () => number;
  random?: () => number;
}

export interface DeliveryFlow {
  /** Decides and settles one delivery (ack, nak with a delay, or dead letter + term). */
  handle(delivery: Delivery): Promise<Outcome>;
}

type Parsed = { ok: true; notification: Notification } | { ok: false; reason: string };

const decoder = new TextDecoder();

/**
 * At-least-once delivery of one channel's notifications (the issue: "deduplicated by message
 * id, retried with backoff …, dead-lettered after a bounded number of deliveries"). The
 * stream already drops a re-published id; a sent marker set right after the provider accepted
 * the message covers the redelivery of a message whose ack was lost.
 */
export function createDeliveryFlow(deps: DeliveryFlowDeps): DeliveryFlow {
  const { channel, sent, deadLetters, policy, metrics } = deps;
  const events = deps.events ?? NO_DELIVERY_EVENTS;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const baseLog = deps.log.child({ channel: channel.id, provider: channel.provider });

  function parse(data: Uint8Array): Parsed {
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(data));
    } catch {
      return { ok: false, reason: 'invalid notification: not JSON' };
    }
    if (!validate(Notification, value)) {
      const found = issues(Notification, value, 3).map((i) => `${i.path} ${i.message}`);
      return { ok: false, reason: `invalid notification: ${found.join('; ')}` };
    }
    if (value.channel !== channel.id) {
      return {
        ok: false,
        reason: `invalid notification: channel ${value.channel} on the ${channel.id} subject`,
      };
    }
    return { ok: true, notification: value };
  }

  /** Dead letter first, then term: a letter that could not be stored leaves the message to retry. */
  async function giveUp(
    d: Delivery,
    reason: string,
    n: Notification | undefined,
    log: Logger,
  ): Promise<Outcome> {
    try {
      if (n) {
        await deadLetters.publish(channel.id, {
          notification: n,
          reason,
          deliveries: d.deliveryCount,
          failedAt: now(),
        });
      } else {
        await deadLetters.publishRaw(channel.id, d.data, reason, d.deliveryCount, d.key);
      }
    } catch (err) {
      const delayMs = backoffDelay(d.deliveryCount, policy, random);
      log.error({ err: (err as Error).message, reason, delayMs }, 'dead letter not stored; retrying later');
      d.nak(delayMs);
      return 'retry';
    }
    d.term();
    metrics.deadLettered(channel.id);
    log.warn({ reason, deliveries: d.deliveryCount }, 'notification dead-lettered');
    return 'dead-lettered';
  }

  async function sendBounded(n: Notification): Promise<void> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new ChannelError(`${channel.provider} did not answer within ${deps.sendTimeoutMs} ms`, true));
      }, deps.sendTimeoutMs);
    });
    try {
      await Promise.race([channel.send(n, controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Answers whether the id was sent before; undefined when the store cannot tell. */
  async function seenBefore(id: string, log: Logger): Promise<boolean | undefined> {
    try {
      return await sent.has(id);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'sent markers unavailable');
      return undefined;
    }
  }

  return {
    async handle(d) {
      const parsed = parse(d.data);
      if (!parsed.ok) return giveUp(d, parsed.reason, undefined, baseLog.child({ key: d.key }));
      const n = parsed.notification;
      const log = baseLog.child({ id: n.id, kind: n.kind, reqId: n.requestId, delivery: d.deliveryCount });

      // Only reached after a dead letter could not be stored (or a drain handed the message
      // back) on the last delivery: the spare deliveries are for dead-lettering, not sending.
      if (d.deliveryCount > policy.maxDeliveries) {
        return giveUp(d, `delivery limit of ${policy.maxDeliveries} reached`, n, log);
      }

      const seen = await seenBefore(n.id, log);
      if (seen === true) {
        d.ack();
        metrics.duplicate(channel.id);
        log.info('already sent; redelivery acknowledged without sending');
        return 'duplicate';
      }
      if (seen === undefined && d.deliveryCount < policy.maxDeliveries) {
        // Never send blind while a retry is left: the marker may say it went out already.
        const delayMs = backoffDelay(d.deliveryCount, policy, random);
        d.nak(delayMs);
        return 'retry';
      }
      // seen === undefined on the last delivery: at-least-once wins over the dedup check.

      try {
        await sendBounded(n);
      } catch (err) {
        const failure =
          err instanceof ChannelError ? err : new ChannelError((err as Error)?.message ?? String(err), true);
        metrics.failed(channel.id, failure.retryable);
        const decision = decideOnFailure(failure, d.deliveryCount, policy, random);
        if (decision.action === 'dead-letter') return giveUp(d, decision.reason, n, log);
        log.warn({ err: failure.message, delayMs: decision.delayMs }, 'send failed; retrying later');
        d.nak(decision.delayMs);
        return 'retry';
      }

      try {
        await sent.mark(n.id);
      } catch (err) {
        // Sent already: acknowledging is right; only a crash before the ack could now resend.
        log.warn({ err: (err as Error).message }, 'sent marker not stored');
      }
      d.ack();
      metrics.sent(channel.id);
      events.sent(n);
      log.info({ ms: now() - n.queuedAt }, 'notification sent');
      return 'sent';
    },
  };
}
