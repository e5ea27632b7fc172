import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@propusk/db';
import { startAllStandIns } from '@propusk/stand-ins';
import {
  PROCESSES,
  startSuite,
  stopAll,
  type ExitResult,
  type ProcessHandle,
} from '../../../scripts/lib/supervisor.mjs';
import { freePort } from './ports.js';

export type StandIns = Awaited<ReturnType<typeof startAllStandIns>>;

export interface Suite {
  /** Base URL of the gateway, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly env: Readonly<Record<string, string>>;
  readonly handles: readonly ProcessHandle[];
  readonly standIns: StandIns;
  readonly databaseUrl: string;
  /** Every log line of every process, prefixed with its name (for failure reports). */
  readonly logs: string[];
  /** SIGTERM to every process; answers their exits. Also drops the test database. */
  stop(): Promise<ExitResult[]>;
}

export interface BootOptions {
  env?: Record<string, string>;
  /** Start only these processes (default: all six). */
  only?: readonly string[];
}

/**
 * Boots the whole suite as `npm start` does (six real processes on free ports) against the
 * real Postgres (a fresh database), Redis and NATS (a fresh namespace), with every outside
 * provider pointed at a local stand-in.
 */
export async function bootSuite(opts: BootOptions = {}): Promise<Suite> {
  const db = await createTestDatabase();
  const standIns = await startAllStandIns();
  const ports: Record<string, string> = {};
  for (const p of PROCESSES) ports[p.portVar] = String(await freePort());
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.PROPUSK_TEST_LOG_LEVEL ?? 'warn',
    PROPUSK_NAMESPACE: `t${randomBytes(4).toString('hex')}`,
    DATABASE_URL: db.url,
    ...standIns.env,
    ...ports,
    PUBLIC_BASE_URL: `http://127.0.0.1:${ports.GATEWAY_PORT}`,
    ...opts.env,
  };
  const logs: string[] = [];
  let suite: Awaited<ReturnType<typeof startSuite>>;
  try {
    suite = await startSuite({
      env,
      only: opts.only,
      onLine: (name, line) => logs.push(`${name} | ${line}`),
    });
  } catch (err) {
    await standIns.closeAll();
    await db.drop();
    throw err;
  }
  let stopped: Promise<ExitResult[]> | undefined;
  return {
    url: `http://127.0.0.1:${env.GATEWAY_PORT}`,
    env,
    handles: suite.handles,
    standIns,
    databaseUrl: db.url,
    logs,
    stop() {
      stopped ??= (async () => {
        const results = await stopAll(suite.handles);
        await standIns.closeAll();
        await db.drop();
        return results;
      })();
      return stopped;
    },
  };
}

/** Polls `fn` until it answers true or the time is up; answers how long it took. */
export async function eventually(
  fn: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    try {
      if (await fn()) return Date.now() - start;
    } catch {
      // keep polling
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
