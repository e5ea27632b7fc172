import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, JetStreamApiError } from '@nats-io/jetstream';
import type { Namespace } from '@propusk/contracts';
import { ensureNotifyStreams, notifyStreamConfigs } from '@propusk/kit';

/** JetStream answers a missing stream or consumer with HTTP-like status 404 (its err_code differs). */
export function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.status === 404;
}

/**
 * The notify and dead-letter streams, created when missing. Kit's `ensureNotifyStreams` is the
 * one definition; when it rethrows the "stream not found" it means to handle (it compares the
 * API error code, not the status, with 404), the missing streams are created here from the
 * same configs. `replicas` is JETSTREAM_REPLICAS: durable consumers (consumer.ts) set none of
 * their own, so they follow their stream's.
 */
export async function ensureStreams(nc: NatsConnection, ns: Namespace, replicas = 1): Promise<void> {
  try {
    await ensureNotifyStreams(nc, ns, replicas);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const jsm = await jetstreamManager(nc);
  for (const config of notifyStreamConfigs(ns, replicas)) {
    try {
      await jsm.streams.info(config.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Another replica may create it in between; add is idempotent for the same config.
      await jsm.streams.add(config);
    }
  }
}
