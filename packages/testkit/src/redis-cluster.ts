import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './suite.js';
import { errorStats, flags, redisProcesses, REDIS_CLI } from './redis-servers.js';

const run = promisify(execFile);

export interface RedisClusterServer {
  /** `redis+cluster://127.0.0.1:p1,…` with every node as a seed (REDIS_URL's cluster form). */
  readonly url: string;
  readonly ports: readonly number[];
  /**
   * Errors every node answered since the start, summed by kind (`INFO errorstats`): a command
   * whose keys span slots shows up as CROSSSLOT on whichever node received it.
   */
  errors(): Promise<Record<string, number>>;
  /** Kills every node and removes their files. */
  dispose(): Promise<void>;
}

export interface RedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
}

/** `cluster_state:ok` and every node known, on this node (CLUSTER INFO). */
function settled(info: string, nodes: number): boolean {
  return (
    /^cluster_state:ok\r?$/m.test(info) && new RegExp(`^cluster_known_nodes:${nodes}\\r?$`, 'm').test(info)
  );
}

/**
 * A Redis Cluster on loopback from the machine's binaries (https://redis.io/docs/latest/operate/oss_and_stack/management/scaling/):
 * 3 masters and 3 replicas by default, created with `redis-cli --cluster create`, answered once
 * every node reports `cluster_state:ok` and knows every other. One per test file: it takes a
 * couple of seconds to form.
 */
export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisClusterServer> {
  const masters = opts.masters ?? 3;
  const replicas = opts.replicasPerMaster ?? 1;
  const group = redisProcesses('redis-cluster');
  try {
    const ports: number[] = [];
    for (let i = 0; i < masters * (1 + replicas); i++) ports.push(await group.port());
    await Promise.all(
      ports.map(async (port) =>
        group.start(
          port,
          flags({
            port,
            // The bus port is port + 10000 unless set (Redis 7): it must be free too.
            'cluster-port': await group.port(),
            bind: '127.0.0.1',
            'cluster-enabled': 'yes',
            'cluster-config-file': join(group.dir, `nodes-${port}.conf`),
            'cluster-node-timeout': 2000,
            save: '',
            appendonly: 'no',
            dir: group.dir,
            daemonize: 'no',
          }),
        ),
      ),
    );
    const seeds = ports.map((p) => `127.0.0.1:${p}`);
    await run(REDIS_CLI, [
      '--cluster',
      'create',
      ...seeds,
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    const nodes = await Promise.all(ports.map((p) => group.client(p)));
    await eventually(
      async () =>
        (await Promise.all(nodes.map((n) => n.cluster('INFO')))).every((i) => settled(i, ports.length)),
      20_000,
      50,
    );
    // Counted from here: forming the cluster answers errors of its own.
    await Promise.all(nodes.map((n) => n.config('RESETSTAT')));
    return {
      url: `redis+cluster://${seeds.join(',')}`,
      ports,
      async errors() {
        const sums: Record<string, number> = {};
        for (const stats of await Promise.all(nodes.map(errorStats)))
          for (const [kind, n] of Object.entries(stats)) sums[kind] = (sums[kind] ?? 0) + n;
        return sums;
      },
      dispose: () => group.dispose(),
    };
  } catch (err) {
    await group.dispose();
    throw err;
  }
}
