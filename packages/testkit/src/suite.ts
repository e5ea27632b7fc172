import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@propusk/db';
import { signedHeaders } from '@propusk/kit';
import { startAllStandIns } from '@propusk/stand-ins';
import { PROCESSES, type ExitResult, type ProcessHandle } from '../../../scripts/lib/supervisor.mjs';
import { freePort } from './ports.js';
import { dropNamespaceStreams } from './streams.js';
import { acquireTopology } from './topology.js';
import { launchProcesses, type Processes, type Replicas, type SuiteProcess } from './processes.js';

export type StandIns = Awaited<ReturnType<typeof startAllStandIns>>;

export interface Suite {
  /** Base URL of the gateway, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly env: Readonly<Record<string, string>>;
  /** The running child of every process (after a restart, the new one). */
  readonly handles: readonly ProcessHandle[];
  /** Every process (each replica of each service, the gateway), to crash, stop or restart. */
  readonly processes: readonly SuiteProcess[];
  /** The process named so: `identity` (first replica), `identity#2`, `gateway`. */
  process(name: string): SuiteProcess;
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
  /**
   * Processes per service (default 1), each on its own port; the gateway is given every
   * replica's URL (IDENTITY_URL=http://…:p1,http://…:p2) and spreads the load over them.
   * `{gateway: 2}` also starts a second gateway (`gateway#2`, its own port, the same upstreams).
   */
  replicas?: Replicas;
}

/** The clusters' settings, less JETSTREAM_REPLICAS when the test names its own NATS (one server). */
function clusterEnv(topology: Record<string, string>, own: Record<string, string> = {}): Record<string, string> {
  if (own.NATS_URL === undefined) return topology;
  const { JETSTREAM_REPLICAS: _clusters, ...rest } = topology;
  return rest;
}

/**
 * Boots the whole suite as `npm start` does (six real processes on free ports) against the
 * real Postgres (a fresh database), Redis and NATS (a fresh namespace), with every outside
 * provider pointed at a local stand-in.
 */
export async function bootSuite(opts: BootOptions = {}): Promise<Suite> {
  const topology = await acquireTopology();
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
    // Every test request comes from 127.0.0.1: the gateway's per-IP budgets are raised unless
    // the caller sets them (test/e2e/attacks/rate-limit.test.ts proves the defaults).
    RATE_LIMIT_PER_IP: '10000000',
    RATE_LIMIT_CREDENTIALS_PER_IP: '10000000',
    // The gateway signs what it forwards with it and the services check it; a test calling a
    // service directly signs with it too (kit's signedHeaders).
    INTERNAL_SECRET: randomBytes(32).toString('hex'),
    // Every process's /metrics answers only this bearer token (metricsAuth below).
    METRICS_TOKEN: randomBytes(32).toString('hex'),
    // PROPUSK_TEST_TOPOLOGY=clusters: Redis Cluster and a NATS cluster (topology.ts); a test
    // that names its own servers still wins, and its own NATS server its own replica count.
    ...clusterEnv(topology.env, opts.env),
    ...opts.env,
  };
  const logs: string[] = [];
  let suite: Processes;
  try {
    suite = await launchProcesses({
      env,
      only: opts.only,
      replicas: opts.replicas,
      onLine: (name, line) => logs.push(`${name} | ${line}`),
    });
  } catch (err) {
    await standIns.closeAll();
    await db.drop();
    await topology.release();
    throw err;
  }
  let stopped: Promise<ExitResult[]> | undefined;
  return {
    url: `http://127.0.0.1:${env.GATEWAY_PORT}`,
    env,
    get handles() {
      return suite.handles();
    },
    processes: suite.list,
    process(name) {
      const found = suite.list.find((p) => p.name === name);
      if (!found) throw new Error(`no process named ${name} (${suite.list.map((p) => p.name).join(', ')})`);
      return found;
    },
    standIns,
    databaseUrl: db.url,
    logs,
    stop() {
      stopped ??= (async () => {
        const results = await suite.stop();
        await standIns.closeAll();
        await db.drop();
        await dropNamespaceStreams(
          env.NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
          env.PROPUSK_NAMESPACE ?? '',
        );
        await topology.release();
        return results;
      })();
      return stopped;
    },
  };
}

/** The `Authorization` header a scrape of any process's /metrics needs in `suite`. */
export function metricsAuth(suite: Pick<Suite, 'env'>): { authorization: string } {
  return { authorization: `Bearer ${suite.env.METRICS_TOKEN ?? ''}` };
}

/**
 * `headers` with the signature the gateway of `suite` would add to a request for `path` (a path
 * with its query, or a whole URL): for a test that calls a service directly, as another gateway
 * replica would (kit's internal-auth.ts).
 */
export function gatewaySigned<H extends Record<string, string>>(
  suite: Pick<Suite, 'env'>,
  method: string,
  path: string,
  headers: H = {} as H,
) {
  return signedHeaders(suite.env.INTERNAL_SECRET ?? '', method, path, headers);
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
