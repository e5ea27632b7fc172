import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from '@propusk/kit';
import { eventually } from './suite.js';
import { flags, redisProcesses, type RedisProcesses } from './redis-servers.js';

export interface RedisSentinelServer {
  /** `redis+sentinel://127.0.0.1:s1,…/<master name>` (REDIS_URL's Sentinel form). */
  readonly url: string;
  readonly masterName: string;
  /** The port of the server that is master now, as the Sentinels report it. */
  masterPort(): Promise<number>;
  /**
   * Has the Sentinels promote the replica (SENTINEL FAILOVER) and waits until they report the
   * new master: what clients must follow.
   */
  failover(): Promise<void>;
  /** Kills every process and removes their files. */
  dispose(): Promise<void>;
}

const MASTER_NAME = 'propusk';

/** A Sentinel's configuration file: Sentinel rewrites it, so each gets its own (https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/). */
function sentinelConfig(group: RedisProcesses, port: number, masterPort: number, quorum: number): string {
  const file = join(group.dir, `sentinel-${port}.conf`);
  writeFileSync(
    file,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${group.dir}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} ${quorum}`,
      `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
      `sentinel failover-timeout ${MASTER_NAME} 5000`,
      '',
    ].join('\n'),
  );
  return file;
}

/** True when this Sentinel knows the replica (SENTINEL REPLICAS), found through the master's INFO. */
async function knowsReplica(sentinel: Redis): Promise<boolean> {
  const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', MASTER_NAME)) as string[][];
  const fields = replicas[0] ?? [];
  return fields[fields.indexOf('flags') + 1] === 'slave';
}

/**
 * One master, one replica and `sentinels` Sentinels (1 to 3) on loopback from the machine's
 * binaries; answered once every Sentinel knows the master and its replica.
 */
export async function startRedisSentinel({ sentinels = 1 } = {}): Promise<RedisSentinelServer> {
  const group = redisProcesses('redis-sentinel');
  try {
    const [masterPort, replicaPort] = [await group.port(), await group.port()];
    const common = { bind: '127.0.0.1', save: '', appendonly: 'no', dir: group.dir };
    await group.start(masterPort, flags({ port: masterPort, ...common }));
    await group.start(
      replicaPort,
      flags({ port: replicaPort, ...common, replicaof: `127.0.0.1 ${masterPort}` }),
    );
    const ports: number[] = [];
    for (let i = 0; i < sentinels; i++) ports.push(await group.port());
    const quorum = Math.floor(sentinels / 2) + 1;
    for (const port of ports)
      await group.start(port, [sentinelConfig(group, port, masterPort, quorum), '--sentinel']);
    const clients = await Promise.all(ports.map((p) => group.client(p)));
    const first = clients[0]!;
    await eventually(async () => (await Promise.all(clients.map(knowsReplica))).every(Boolean), 20_000, 50);
    const currentMasterPort = async () => {
      const addr = (await first.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as string[];
      return Number(addr[1]);
    };
    return {
      url: `redis+sentinel://${ports.map((p) => `127.0.0.1:${p}`).join(',')}/${MASTER_NAME}`,
      masterName: MASTER_NAME,
      masterPort: currentMasterPort,
      async failover() {
        const before = await currentMasterPort();
        // Refused (NOGOODSLAVE) until the Sentinel has fresh INFO of the replica: asked again.
        await eventually(
          async () => (await first.call('SENTINEL', 'FAILOVER', MASTER_NAME)) === 'OK',
          20_000,
          100,
        );
        await eventually(async () => (await currentMasterPort()) !== before, 20_000, 50);
      },
      dispose: () => group.dispose(),
    };
  } catch (err) {
    await group.dispose();
    throw err;
  }
}
