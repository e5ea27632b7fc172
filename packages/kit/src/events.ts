import { createHash, randomUUID } from 'node:crypto';
import { headers, nanos, type NatsConnection } from '@nats-io/nats-core';
import {
  DiscardPolicy,
  jetstream,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import {
  allEventsSubject,
  EVENTS_STREAM,
  eventSubject,
  HEADERS,
  issues,
  streamName,
  validate,
  type DomainEventDef,
  type EventFields,
  type Namespace,
} from '@propusk/contracts';
import type { Logger } from './logger.js';
import { counter } from './metrics.js';
import { ensureStream } from './jetstream.js';
import { currentRequestId } from './request-context.js';
import type { Runtime } from './service.js';

/**
 * Domain events on JetStream (DESIGN: "Durable work (sending a code, domain events) goes through
 * JetStream: at-least-once, deduplicated by message id"; docs/events.md).
 *
 * An event reports an effect that is already committed (an account exists, a token was revoked),
 * so a publish that fails never fails the user's operation: the publisher retries briefly, then
 * logs and counts the loss (`propusk_events_published_total{outcome="failed"}`) and answers false.
 */

/** How long the stream remembers event ids to drop a re-published one (JetStream `duplicate_window`). */
export const EVENTS_DEDUP_WINDOW_MS = 10 * 60_000;
/** How long subscribers have to read an event before the stream forgets it. */
export const EVENTS_MAX_AGE_MS = 7 * 24 * 3600_000;

/** The events stream: every `auth.>` subject of the namespace, kept for a week (limits retention). */
export function eventStreamConfig(ns: Namespace, replicas = 1): Partial<StreamConfig> & { name: string } {
  return {
    name: streamName(ns, EVENTS_STREAM),
    num_replicas: replicas,
    subjects: [allEventsSubject(ns)],
    // Limits, not work queue: any number of subscribers read the same events, each at its own pace.
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: nanos(EVENTS_DEDUP_WINDOW_MS),
    max_age: nanos(EVENTS_MAX_AGE_MS),
    // A full stream drops its oldest events rather than refusing new ones.
    discard: DiscardPolicy.Old,
    max_msgs: 10_000_000,
  };
}

/**
 * Creates the events stream when missing (idempotent; an existing stream is kept as is but for
 * its replicas, brought to `replicas`: JETSTREAM_REPLICAS, see ensureStream).
 */
export async function ensureEventStream(nc: NatsConnection, ns: Namespace, replicas = 1): Promise<void> {
  await ensureStream(nc, eventStreamConfig(ns, replicas));
}

/** Bytes of the uuid 6d0f1a52-3c1e-4e57-9a53-70726f70757b (fixed: changing it changes every derived id). */
const EVENT_ID_NAMESPACE = Buffer.from('6d0f1a523c1e4e579a5370726f70757b', 'hex');

/**
 * A name-based uuid (RFC 9562 §5.5, version 5) from `parts`: an event derived from something
 * with an id of its own (a notification) gets the same id on every redelivery, so the stream's
 * dedup window drops the repeat.
 */
export function derivedEventId(...parts: string[]): string {
  const hash = createHash('sha1').update(EVENT_ID_NAMESPACE).update(parts.join('\u0000')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface PublishOptions {
  /** The event's id; a fresh uuid by default (see derivedEventId). */
  id?: string;
}

export interface EventPublisher {
  /**
   * Publishes one event: validated against its schema, `id` and `at` added, `requestId` taken
   * from the request in progress when the fields have none. Resolves true once JetStream stored
   * it (or recognised its id as a duplicate), false when it was invalid or every attempt failed
   * (logged and counted). Never rejects: the effect it reports is committed already.
   */
  publish<D extends DomainEventDef>(
    def: D,
    fields: EventFields<D>,
    options?: PublishOptions,
  ): Promise<boolean>;
  /** Waits for the publishes in flight (at shutdown, before NATS drains). */
  drain(): Promise<void>;
}

export interface EventPublisherOptions {
  log: Logger;
  /** Milliseconds to wait for one acknowledgement. */
  timeoutMs?: number;
  /** Publish attempts before the event is given up. */
  attempts?: number;
  /** Pause before the n-th retry: n × backoffMs. */
  backoffMs?: number;
  /** Replicas of the events stream (JETSTREAM_REPLICAS); 1 by default. */
  replicas?: number;
}

const REQUEST_ID_MAX = 128;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fields with a value: `undefined` means absent in an event, never a JSON key. */
function defined(fields: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export function createEventPublisher(
  nc: NatsConnection,
  ns: Namespace,
  options: EventPublisherOptions,
): EventPublisher {
  const { log } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 100;
  const js = jetstream(nc, { timeout: timeoutMs });
  const stream = streamName(ns, EVENTS_STREAM);
  const published = counter(
    'propusk_events_published_total',
    'Domain events published to JetStream, by event and outcome (ok, duplicate, failed, invalid)',
    ['event', 'outcome'],
  );
  const inFlight = new Set<Promise<boolean>>();
  let ensured: Promise<void> | undefined;

  function ensure(): Promise<void> {
    ensured ??= ensureEventStream(nc, ns, options.replicas).catch((err: unknown) => {
      ensured = undefined;
      throw err;
    });
    return ensured;
  }

  async function send(def: DomainEventDef, event: Record<string, unknown>): Promise<boolean> {
    const h = headers();
    if (typeof event.requestId === 'string') h.set(HEADERS.requestId, event.requestId);
    const subject = eventSubject(ns, def.entity, def.verb);
    const payload = JSON.stringify(event);
    for (let attempt = 1; ; attempt++) {
      try {
        await ensure();
        const ack = await js.publish(subject, payload, {
          msgID: event.id as string,
          headers: h,
          // Stored by the events stream, not merely by some stream that captures the subject.
          expect: { streamName: stream },
        });
        published.inc({ event: def.name, outcome: ack.duplicate ? 'duplicate' : 'ok' });
        return true;
      } catch (err) {
        // The stream may have been deleted meanwhile: look again before the next attempt.
        ensured = undefined;
        if (attempt >= attempts) {
          // The event's name and id only: its body is for subscribers, not for the log.
          log.error(
            { event: def.name, eventId: event.id, attempts, err: (err as Error).message },
            'domain event not published',
          );
          published.inc({ event: def.name, outcome: 'failed' });
          return false;
        }
        await sleep(backoffMs * attempt);
      }
    }
  }

  return {
    publish(def, fields, publishOptions = {}) {
      const requestId = (fields as { requestId?: string }).requestId ?? currentRequestId();
      const event = defined({
        id: publishOptions.id ?? randomUUID(),
        at: new Date().toISOString(),
        ...fields,
        requestId: requestId ? requestId.slice(0, REQUEST_ID_MAX) : undefined,
      });
      if (!validate(def.schema, event)) {
        // A producer's bug: said loudly, with where it is wrong but not what the event holds.
        log.error(
          { event: def.name, issues: issues(def.schema, event).map((i) => `${i.path}: ${i.message}`) },
          'domain event does not match its schema; not published',
        );
        published.inc({ event: def.name, outcome: 'invalid' });
        return Promise.resolve(false);
      }
      const sending = send(def, event);
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      return sending;
    },
    async drain() {
      await Promise.allSettled([...inFlight]);
    },
  };
}

/**
 * The process's publisher: the runtime's NATS connection and namespace, drained before NATS
 * closes at shutdown, so events of the last requests are not lost.
 */
export function runtimeEventPublisher(
  rt: Pick<Runtime, 'nats' | 'ns' | 'log' | 'onClose' | 'config'>,
  options: Omit<EventPublisherOptions, 'log'> = {},
): EventPublisher {
  const publisher = createEventPublisher(rt.nats.nc, rt.ns, {
    replicas: rt.config.JETSTREAM_REPLICAS,
    ...options,
    log: rt.log,
  });
  rt.onClose(() => publisher.drain());
  return publisher;
}
