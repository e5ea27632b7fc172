import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from './logger.js';

export type { NatsConnection };

export interface NatsHandle {
  readonly nc: NatsConnection;
  /** True while connected (false while reconnecting or closed). */
  isConnected(): boolean;
  /** A round trip to the server, bounded: the readiness probe. */
  check(timeoutMs?: number): Promise<void>;
  drain(): Promise<void>;
}

/**
 * NATS_URL's servers: a list as kit's config gives it, or a string of URLs separated by commas
 * (one server, or several of a cluster: nats.js tries them in turn and learns the rest of the
 * cluster from the one it reaches; https://github.com/nats-io/nats.js#connecting-to-a-nats-server).
 */
export function natsServers(servers: string | readonly string[]): string[] {
  const list = typeof servers === 'string' ? servers.split(',') : [...servers];
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Connects to NATS and stays connected: reconnects forever (DESIGN: services ride out a NATS
 * restart, or the loss of one server of a cluster), with a short wait so readiness returns within
 * seconds of a server being back.
 */
export async function connectNats(
  servers: string | readonly string[],
  name: string,
  log: Logger,
): Promise<NatsHandle> {
  const nc = await connect({
    servers: natsServers(servers),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 5000,
    maxPingOut: 2,
    waitOnFirstConnect: false,
    // nats.js otherwise builds an Error per request to keep async stack traces (about 7% of a
    // busy service's CPU in bench/); our RPC errors carry their operation name instead.
    noAsyncTraces: true,
  });
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        connected = false;
        log.warn({ server: s.server }, 'nats disconnected');
      } else if (s.type === 'reconnect') {
        connected = true;
        log.info({ server: s.server }, 'nats reconnected');
      } else if (s.type === 'error') {
        log.error({ err: s.error }, 'nats error');
      }
    }
  })();
  return {
    nc,
    isConnected: () => connected && !nc.isClosed(),
    async check(timeoutMs = 1000) {
      if (!connected || nc.isClosed()) throw new Error('nats not connected');
      await withTimeout(nc.flush(), timeoutMs, 'nats flush');
    },
    async drain() {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
