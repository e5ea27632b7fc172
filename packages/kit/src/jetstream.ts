import { randomUUID } from 'node:crypto';
import { headers, nanos, type NatsConnection } from '@nats-io/nats-core';
import {
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import {
  allNotifySubject,
  deadLetterSubject,
  DEAD_LETTER_STREAM,
  HEADERS,
  Notification,
  notifySubject,
  NOTIFY_STREAM,
  PropuskError,
  streamName,
  validate,
  type Namespace,
} from '@propusk/contracts';
import { currentRequestId } from './request-context.js';

/** contracts' Notification.requestId is at most this long. */
const REQUEST_ID_MAX = 128;

/** How long the stream remembers message ids for deduplication (JetStream's `duplicate_window`). */
export const NOTIFY_DEDUP_WINDOW_MS = 10 * 60_000;

function deadLetterWildcard(ns: Namespace): string {
  return deadLetterSubject(ns, '>');
}

/** Stream definitions; both producers and the consumer ensure them, so start order does not matter. */
export function notifyStreamConfigs(ns: Namespace): (Partial<StreamConfig> & { name: string })[] {
  return [
    {
      name: streamName(ns, NOTIFY_STREAM),
      subjects: [allNotifySubject(ns)],
      // Work queue: a message is removed once the notification service acknowledged it.
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: nanos(NOTIFY_DEDUP_WINDOW_MS),
      max_age: nanos(24 * 3600_000),
      discard: DiscardPolicy.New,
      max_msgs: 1_000_000,
    },
    {
      name: streamName(ns, DEAD_LETTER_STREAM),
      subjects: [deadLetterWildcard(ns)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(30 * 24 * 3600_000),
      max_msgs: 100_000,
    },
  ];
}

/**
 * Creates a stream when missing (idempotent; an existing stream is kept as is, an operator may
 * have tuned it). Safe when several processes start at once.
 */
export async function ensureStream(
  nc: NatsConnection,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(config.name);
  } catch (err) {
    // JetStream answers a missing stream with status 404 (api error code 10059).
    if (!(err instanceof JetStreamApiError) || err.status !== 404) throw err;
    await jsm.streams.add(config).catch(async (addErr: unknown) => {
      // Another process created it in between: fine.
      await jsm.streams.info(config.name).catch(() => {
        throw addErr;
      });
    });
  }
}

/** Creates the notification streams when missing. */
export async function ensureNotifyStreams(nc: NatsConnection, ns: Namespace): Promise<void> {
  for (const config of notifyStreamConfigs(ns)) await ensureStream(nc, config);
}

export interface NotificationPublisher {
  /**
   * Queues one notification durably: resolves once JetStream acknowledged it (or recognised
   * its id as a duplicate), rejects with `unavailable` otherwise. Answers the message id.
   */
  publish(message: Omit<Notification, 'id' | 'queuedAt'> & { id?: string }): Promise<string>;
}

export function createNotificationPublisher(
  nc: NatsConnection,
  ns: Namespace,
  options: { timeoutMs?: number } = {},
): NotificationPublisher {
  const js = jetstream(nc, { timeout: options.timeoutMs ?? 5000 });
  let ensured: Promise<void> | undefined;
  return {
    async publish(input) {
      const requestId = input.requestId ?? currentRequestId()?.slice(0, REQUEST_ID_MAX);
      const message: Notification = {
        ...input,
        ...(requestId ? { requestId } : {}),
        id: input.id ?? randomUUID(),
        queuedAt: Date.now(),
      };
      if (!validate(Notification, message)) throw new PropuskError('invalid_request', 'bad notification');
      const h = headers();
      if (message.requestId) h.set(HEADERS.requestId, message.requestId);
      try {
        ensured ??= ensureNotifyStreams(nc, ns).catch((err: unknown) => {
          ensured = undefined;
          throw err;
        });
        await ensured;
        await js.publish(notifySubject(ns, message.channel), JSON.stringify(message), {
          msgID: message.id,
          headers: h,
          // An acknowledgement from another stream capturing the subject does not count as queued.
          expect: { streamName: streamName(ns, NOTIFY_STREAM) },
        });
      } catch (err) {
        throw new PropuskError('unavailable', `notification not queued: ${(err as Error).message}`);
      }
      return message.id;
    },
  };
}
