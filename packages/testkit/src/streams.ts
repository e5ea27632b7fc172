import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/**
 * Deletes the JetStream streams of one test namespace (notifications, dead letters, domain
 * events: every stream name starts with the namespace, see contracts' streamName). Streams are
 * kept on disk by the shared NATS server; without this each suite would leave its own behind.
 * Best effort: a NATS that is down (a fault test's) leaves nothing to clean that matters.
 */
export async function dropNamespaceStreams(natsUrl: string, namespaceName: string): Promise<void> {
  const prefix = `${namespaceName.toUpperCase().replace(/-/g, '_')}_`;
  let nc;
  try {
    // NATS_URL may list a cluster's servers, comma-separated.
    nc = await connect({ servers: natsUrl.split(','), reconnect: false, timeout: 2000 });
  } catch {
    return;
  }
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const info of jsm.streams.list()) {
      if (info.config.name.startsWith(prefix)) names.push(info.config.name);
    }
    await Promise.allSettled(names.map((name) => jsm.streams.delete(name)));
  } catch {
    // best effort, as above
  } finally {
    await nc.close();
  }
}
