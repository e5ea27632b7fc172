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
  type StreamInfo,
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
export function notifyStreamConfigs(
  ns: Namespace,
  replicas = 1,
): (Partial<StreamConfig> & { name: string })[] {
  return [
    {
      name: streamName(ns, NOTIFY_STREAM),
      num_replicas: replicas,
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
      num_replicas: replicas,
      subjects: [deadLetterWildcard(ns)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(30 * 24 * 3600_000),
      max_msgs: 100_000,
    },
  ];
}

/**
 * Creates a stream when missing, with `config.num_replicas` replicas (JETSTREAM_REPLICAS); an
 * existing one keeps its other settings (an operator may have tuned them) but is brought to that
 * replica count: JetStream changes a stream's replicas in place on a cluster, and durable
 * consumers that do not set their own (ours) follow their stream
 * (https://docs.nats.io/nats-concepts/jetstream/streams#replicas). Safe when several processes
 * start at once. A server that cannot hold the replicas (not clustered, or fewer JetStream
 * servers than asked) fails with an error that says so, naming JETSTREAM_REPLICAS.
 */
export async function ensureStream(
  nc: NatsConnection,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const replicas = config.num_replicas;
  let existing: StreamInfo;
  try {
    existing = await jsm.streams.info(config.name);
  } catch (err) {
    // JetStream answers a missing stream with status 404 (api error code 10059).
    if (!(err instanceof JetStreamApiError) || err.status !== 404) throw err;
    await jsm.streams.add(config).catch(async (addErr: unknown) => {
      // Another process (with the same JETSTREAM_REPLICAS) created it in between: fine.
      await jsm.streams.info(config.name).catch(() => {
        throw replicasError(config.name, replicas, addErr);
      });
    });
    return;
  }
  // A stream created before num_replicas was set reports 1 (JetStream's default).
  const current = existing.config.num_replicas || 1;
  if (replicas === undefined || current === replicas) return;
  // NATS 2.9 refuses to create a replicated stream on a lone server (error 10074) but accepts the
  // same change as an update, storing a replica count it cannot honour: a stream served by a
  // JetStream cluster reports it (StreamInfo.cluster), one on a lone server does not.
  if (replicas > 1 && !existing.cluster) {
    throw replicasError(config.name, replicas, 'the server is not clustered', current);
  }
  await jsm.streams.update(config.name, { num_replicas: replicas }).catch((err: unknown) => {
    throw replicasError(config.name, replicas, err, current);
  });
}

/**
 * The server's refusal, with what it means for an operator: JetStream says "replicas > 1 not
 * supported in non-clustered mode" (error 10074) or "insufficient resources" (fewer servers
 * than replicas); both come down to JETSTREAM_REPLICAS not fitting this NATS deployment.
 */
function replicasError(stream: string, replicas: number | undefined, err: unknown, from?: number): Error {
  const refused = err instanceof JetStreamApiError || typeof err === 'string';
  if (replicas === undefined || replicas <= 1 || !refused)
    return err instanceof Error ? err : new Error(String(err));
  const reason = err instanceof Error ? err.message : err;
  const what =
    from === undefined ? `create stream ${stream} with` : `change stream ${stream} from ${from} to`;
  return new Error(
    `JetStream could not ${what} ${replicas} replicas: ${reason}. JETSTREAM_REPLICAS=${replicas} needs a ` +
      `NATS cluster with at least ${replicas} JetStream servers; this server is not clustered or has ` +
      'fewer. Lower JETSTREAM_REPLICAS or add servers.',
    err instanceof Error ? { cause: err } : undefined,
  );
}

/** Creates the notification streams when missing, with `replicas` replicas (JETSTREAM_REPLICAS). */
export async function ensureNotifyStreams(nc: NatsConnection, ns: Namespace, replicas = 1): Promise<void> {
  for (const config of notifyStreamConfigs(ns, replicas)) await ensureStream(nc, config);
}

export interface NotificationPublisher {
  /**
   * Queues one notification durably: resolves once JetStream acknowledged it (or recognised
   * its id as a duplicate), rejects with `unavailable` otherwise. Answers the message id.
   */
  publish(message: Omit<Notification, 'id' | 'queuedAt'> & { id?: string }): Promise<string>;
}

/**
 * One publish attempt waits at most this long for JetStream's acknowledgement. When the stream's
 * leader dies, a replicated stream elects another within seconds (RAFT), and a publish sent
 * meanwhile is never acknowledged: rather than spend the whole budget on it, the publisher sends
 * again under the same Nats-Msg-Id, which the stream deduplicates (an attempt whose ack was lost
 * is stored once). The caller hears `unavailable` only when the whole budget is spent.
 */
const ATTEMPT_MS = 750;
const RETRY_PAUSE_MS = 50;

async function publishWithin(
  js: ReturnType<typeof jetstream>,
  budgetMs: number,
  ...[subject, data, opts]: Parameters<ReturnType<typeof jetstream>['publish']>
): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const timeout = Math.max(1, Math.min(ATTEMPT_MS, deadline - Date.now()));
    try {
      await js.publish(subject, data, { ...opts, timeout });
      return;
    } catch (err) {
      if (deadline - Date.now() <= RETRY_PAUSE_MS) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }
}

export function createNotificationPublisher(
  nc: NatsConnection,
  ns: Namespace,
  options: { timeoutMs?: number; /** JETSTREAM_REPLICAS */ replicas?: number } = {},
): NotificationPublisher {
  const budgetMs = options.timeoutMs ?? 5000;
  const js = jetstream(nc, { timeout: budgetMs });
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
        ensured ??= ensureNotifyStreams(nc, ns, options.replicas).catch((err: unknown) => {
          ensured = undefined;
          throw err;
        });
        await ensured;
        await publishWithin(js, budgetMs, notifySubject(ns, message.channel), JSON.stringify(message), {
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
