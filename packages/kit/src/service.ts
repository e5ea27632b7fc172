import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { namespace, ops, type Namespace, type ServiceName } from '@propusk/contracts';
import { loadConfig, describeConfig, type ConfigOf } from './config.js';
import { CORE_SETTINGS } from './settings.js';
import { createLogger, type Logger } from './logger.js';
import { connectNats, type NatsHandle } from './nats.js';
import { connectRedis, checkRedis, closeRedis, redisKeyPrefix, type RedisClient } from './redis.js';
import { createHttpServer, runReadiness, type ReadinessCheck } from './http.js';
import { resolveInternalSecret } from './internal-auth.js';
import { createRpcClient, createRpcServer, type RpcClient, type RpcServer } from './rpc.js';

export type CoreConfig = ConfigOf<typeof CORE_SETTINGS>;

export interface Runtime {
  readonly name: ServiceName | 'gateway';
  /** Unique per process: tells replicas apart in logs and ping replies. */
  readonly instance: string;
  readonly config: CoreConfig;
  readonly ns: Namespace;
  readonly log: Logger;
  readonly nats: NatsHandle;
  readonly rpc: RpcServer;
  readonly client: RpcClient;
  readonly http: FastifyInstance;
  readonly redis: RedisClient | undefined;
  /** INTERNAL_SECRET (or its development default): the gateway signs with it, services verify. */
  readonly internalSecret: string;
  /** Checks behind /readyz and the NATS ping; add the service's own before it listens. */
  readonly readiness: Record<string, ReadinessCheck>;
  /** Runs at shutdown after in-flight work finished, in reverse order of registration. */
  onClose(fn: () => Promise<void> | void): void;
}

export interface StartOptions {
  name: ServiceName | 'gateway';
  /** Which configured port this process listens on. */
  port(config: CoreConfig): number;
  useRedis?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The gateway: TRUSTED_PROXIES, the peers whose X-Forwarded-For names the client (http.ts). */
  trustProxy?: readonly string[];
  setup(rt: Runtime): Promise<void>;
}

export interface Started {
  readonly runtime: Runtime;
  /** Base URL of the process's HTTP listener. */
  readonly url: string;
  /**
   * Finishes in-flight work, then disconnects: new HTTP requests are refused with kit's closing
   * notice (the gateway serves them instead), for `noticeMs` before the listener closes (runMain
   * gives CLOSING_NOTICE_MS; tests closing in-process give none); in-flight HTTP requests and
   * NATS handlers finish; close hooks run; Redis and NATS (drained) disconnect.
   */
  close(options?: { noticeMs?: number }): Promise<void>;
}

/**
 * How long a service stopped by a signal keeps its listener open answering closing notices
 * before closing it. A gateway holding keep-alive connections to it learns it is leaving from
 * the first notice and stops using them, rather than writing a request into one just as it is
 * closed, when it could no longer know whether the request was received (and could not retry
 * it). Behind a Kubernetes Service a preStop delay plays this part for the endpoints.
 */
export const CLOSING_NOTICE_MS = 500;

export function loadCoreConfig(env: NodeJS.ProcessEnv = process.env): CoreConfig {
  return loadConfig(CORE_SETTINGS, env);
}

/**
 * Starts one process of the suite: config, logger, NATS (reconnecting forever), Redis when
 * used, the HTTP bootstrap and the NATS `ping` every service answers; then the service's
 * own `setup`, then listen. The returned `close` finishes in-flight work first.
 */
export async function startProcess(opts: StartOptions): Promise<Started> {
  const env = opts.env ?? process.env;
  const config = loadCoreConfig(env);
  const internalSecret = resolveInternalSecret(config);
  const log = createLogger({ service: opts.name, level: config.LOG_LEVEL });
  log.info({ config: describeConfig(CORE_SETTINGS, config) }, 'starting');
  if (internalSecret.development) {
    log.warn(
      'INTERNAL_SECRET is not set: gateway requests are signed with the development secret (never in production)',
    );
  }
  const instance = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const ns = namespace(config.PROPUSK_NAMESPACE);
  const nats = await connectNats(config.NATS_URL, `${opts.name}:${instance}`, log);
  const redis = opts.useRedis
    ? connectRedis(config.REDIS_URL, redisKeyPrefix(config.PROPUSK_NAMESPACE), log)
    : undefined;
  const readiness: Record<string, ReadinessCheck> = { nats: () => nats.check() };
  if (redis) readiness.redis = () => checkRedis(redis);
  const closers: Array<() => Promise<void> | void> = [];
  let shuttingDown = false;
  const http = createHttpServer({
    log,
    readiness,
    isClosing: () => shuttingDown,
    // The gateway is the public listener: nothing in front of it reads a closing notice.
    closingMode: opts.name === 'gateway' ? 'serve' : 'notice',
    // The gateway signs what it forwards (proxy.ts); every service verifies.
    internalSecret: opts.name === 'gateway' ? undefined : internalSecret.key,
    metricsToken: config.METRICS_TOKEN,
    trustProxy: opts.trustProxy,
  });
  const rt: Runtime = {
    name: opts.name,
    instance,
    config,
    ns,
    log,
    nats,
    rpc: createRpcServer(nats.nc, ns, log),
    client: createRpcClient(nats.nc, ns, { timeoutMs: config.RPC_TIMEOUT_MS }),
    http,
    redis,
    internalSecret: internalSecret.key,
    readiness,
    onClose: (fn) => void closers.push(fn),
  };

  if (opts.name !== 'gateway') {
    const service = opts.name;
    rt.rpc.handle(ops.ping[service], async () => {
      const report = await runReadiness(readiness);
      const checks = Object.fromEntries(Object.entries(report.checks).map(([k, v]) => [k, v === 'ok']));
      return { service, instance, ready: report.status === 'ready', checks };
    });
  }

  await opts.setup(rt);
  await http.listen({ port: opts.port(config), host: config.BIND_HOST });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port(config);
  const url = `http://${config.BIND_HOST === '0.0.0.0' ? '127.0.0.1' : config.BIND_HOST}:${port}`;
  log.info({ url }, 'ready to serve');

  let closing: Promise<void> | undefined;
  async function close({ noticeMs = 0 }: { noticeMs?: number } = {}): Promise<void> {
    closing ??= (async () => {
      log.info('shutting down: finishing in-flight work');
      shuttingDown = true;
      if (opts.name !== 'gateway' && noticeMs > 0) await new Promise((r) => setTimeout(r, noticeMs));
      // Stops listening, closes idle connections, waits for the requests in flight.
      await http.close();
      await rt.rpc.drain();
      for (const fn of closers.reverse()) {
        try {
          await fn();
        } catch (err) {
          log.error({ err }, 'close hook failed');
        }
      }
      if (redis) await closeRedis(redis);
      await nats.drain();
      log.info('stopped');
    })();
    return closing;
  }
  return { runtime: rt, url, close };
}

/**
 * Whether the module at `moduleUrl` (its `import.meta.url`) is the script node was started
 * with: a service's main.ts starts itself only then, and tests import it without starting it.
 * Through realpath, as node resolves the script (a symlinked checkout, pnpm's links).
 */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(realpathSync(script)).href === moduleUrl;
}

/** Deadline for a clean stop after SIGTERM (the issue: exit 0 within 10 s). */
const SHUTDOWN_DEADLINE_MS = 9000;

/**
 * Entry point of a process: starts it and stops it cleanly on SIGTERM/SIGINT.
 * A start failure (bad config, unreachable NATS) exits 1 with the reason.
 */
export function runMain(start: () => Promise<Started>): void {
  // Through a promise, so a start that throws at once (its settings) also ends as one line.
  Promise.resolve()
    .then(start)
    .then(
      (started) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          started.runtime.log.info({ signal }, 'signal received');
          const deadline = setTimeout(() => {
            started.runtime.log.error('shutdown deadline passed; exiting');
            process.exit(1);
          }, SHUTDOWN_DEADLINE_MS);
          deadline.unref();
          started.close({ noticeMs: CLOSING_NOTICE_MS }).then(
            () => process.exit(0),
            (err: unknown) => {
              started.runtime.log.error({ err }, 'shutdown failed');
              process.exit(1);
            },
          );
        };
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
      },
      (err: unknown) => {
        console.error(`start failed: ${(err as Error)?.message ?? String(err)}`);
        process.exit(1);
      },
    );
}
