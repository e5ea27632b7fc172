import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeRedis, connectRedis, createLogger, type Redis } from '@propusk/kit';
import { Writable } from 'node:stream';
import { freePort, reachable } from './ports.js';
import { eventually } from './suite.js';

/**
 * Private redis-server processes (the machine's binaries) for the cluster and Sentinel helpers:
 * a temporary directory, processes on free loopback ports, and a dispose that kills them all
 * and removes the directory.
 */
export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
export const REDIS_CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';

const silent = createLogger({
  service: 'testkit',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

export interface RedisProcesses {
  readonly dir: string;
  /** Free loopback ports, none handed out twice by this group. */
  port(): Promise<number>;
  /** Starts `redis-server args…` and waits until `port` accepts connections. */
  start(port: number, args: readonly string[]): Promise<void>;
  /** A client of one process (no key prefix), closed by dispose. */
  client(port: number): Promise<Redis>;
  dispose(): Promise<void>;
}

/** `{port: 1, save: ''}` → `['--port', '1', '--save', '']` (redis-server's command line). */
export function flags(options: Readonly<Record<string, string | number>>): string[] {
  return Object.entries(options).flatMap(([name, value]) => [`--${name}`, String(value)]);
}

export function redisProcesses(name: string): RedisProcesses {
  const dir = mkdtempSync(join(tmpdir(), `propusk-${name}-`));
  const children: ChildProcess[] = [];
  const clients: Redis[] = [];
  const taken = new Set<number>();
  // A test that dies without its teardown must not leave servers behind.
  const killAll = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', killAll);
  return {
    dir,
    async port() {
      for (;;) {
        const p = await freePort();
        if (!taken.has(p)) {
          taken.add(p);
          return p;
        }
      }
    },
    async start(port, args) {
      children.push(spawn(REDIS_SERVER, args, { stdio: 'ignore' }));
      await eventually(() => reachable(port), 10_000, 20);
    },
    async client(port) {
      // Connected through kit as the services are; a node of a cluster answers as one server.
      const redis = connectRedis(`redis://127.0.0.1:${port}`, '', silent) as Redis;
      clients.push(redis);
      await eventually(async () => redis.status === 'ready', 10_000, 20);
      return redis;
    },
    async dispose() {
      process.removeListener('exit', killAll);
      await Promise.all(clients.map((c) => closeRedis(c)));
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGKILL');
          await exited;
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `INFO errorstats` of one server as {CROSSSLOT: n, ...} (Redis 7: one line per error prefix). */
export async function errorStats(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await redis.info('errorstats')).matchAll(/^errorstat_([^:]+):count=(\d+)/gm))
    out[m[1] as string] = Number(m[2]);
  return out;
}
