import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { namespace, NOTIFY_STREAM, streamName } from '../../../packages/contracts/src/index.js';
import { connectNats, createLogger } from '../../../packages/kit/src/index.js';
import type { NatsClusterServer, RedisClusterServer } from '@propusk/testkit';

/**
 * What the topology test (test/e2e/topology.test.ts) asks of the clustered servers it kills: a
 * Redis master (from CLUSTER NODES, its pid from INFO), and the NATS node leading the suite's
 * notify stream (JetStream's stream info).
 */
const run = promisify(execFile);
const REDIS_CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';
const log = createLogger({ service: 'e2e-topology', level: 'silent' });

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(REDIS_CLI, ['-p', String(port), ...args]);
  return stdout;
}

export interface RedisMaster {
  readonly port: number;
  readonly pid: number;
  /** The slot ranges it serves, as CLUSTER NODES lists them. */
  readonly slots: string;
}

/** The masters of the cluster now, as a live node sees them. */
export async function redisMasters(cluster: RedisClusterServer): Promise<RedisMaster[]> {
  for (const port of cluster.ports) {
    let nodes: string;
    try {
      nodes = await cli(port, 'CLUSTER', 'NODES');
    } catch {
      continue;
    }
    const masters: RedisMaster[] = [];
    for (const line of nodes.trim().split('\n')) {
      const [, address = '', flags = '', , , , , , ...slots] = line.split(' ');
      if (!flags.split(',').includes('master') || flags.includes('fail')) continue;
      const masterPort = Number(address.split('@')[0]?.split(':')[1]);
      const info = await cli(masterPort, 'INFO', 'server');
      const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
      masters.push({ port: masterPort, pid, slots: slots.join(' ') });
    }
    if (masters.length > 0) return masters;
  }
  throw new Error('no Redis node answered CLUSTER NODES');
}

/** SIGKILL to a redis-server by pid; resolves once its port refuses connections. */
export async function killRedis(master: RedisMaster): Promise<void> {
  process.kill(master.pid, 'SIGKILL');
  for (let i = 0; i < 100; i++) {
    try {
      await cli(master.port, 'PING');
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis on ${master.port} still answers after SIGKILL`);
}

export interface NotifyLeaders {
  /** The node leading the suite's notify stream (n1, n2, n3). */
  stream: string;
  /** Each durable consumer of it (one per channel) and the node leading it. */
  consumers: Array<{ name: string; leader: string }>;
}

/** Which NATS nodes lead the suite's notify stream and its consumers now. */
export async function notifyLeaders(
  cluster: NatsClusterServer,
  suiteEnv: Readonly<Record<string, string>>,
): Promise<NotifyLeaders> {
  const nats = await connectNats(cluster.url, 'e2e-topology', log);
  try {
    const jsm = await jetstreamManager(nats.nc);
    const name = streamName(namespace(suiteEnv.PROPUSK_NAMESPACE ?? ''), NOTIFY_STREAM);
    const stream = (await jsm.streams.info(name)).cluster?.leader;
    if (!stream) throw new Error(`${name} has no leader`);
    const consumers: NotifyLeaders['consumers'] = [];
    for await (const c of jsm.consumers.list(name))
      consumers.push({ name: c.name, leader: c.cluster?.leader ?? '?' });
    return { stream, consumers };
  } finally {
    await nats.drain();
  }
}
