import {
  PROCESSES,
  spawnProcess,
  stopAll,
  waitReady,
  type ExitResult,
  type ProcessHandle,
  type ProcessSpec,
} from '../../../scripts/lib/supervisor.mjs';
import { buildAll } from '../../../scripts/lib/build.mjs';
import { freePort } from './ports.js';

/**
 * Processes per service: one number for all five services, or per process name. The gateway is
 * one unless named (`{gateway: 2}`): each gateway gets its own port and the same upstreams.
 */
export type Replicas = number | Readonly<Partial<Record<string, number>>>;

/** The gateway setting that lists a service's base URLs (gateway/src/settings.ts). */
const UPSTREAM_VAR: Readonly<Record<string, string>> = {
  identity: 'IDENTITY_URL',
  verification: 'VERIFICATION_URL',
  federation: 'FEDERATION_URL',
  token: 'TOKEN_URL',
  notification: 'NOTIFICATION_URL',
};

/**
 * One process of a booted suite (a replica of a service, or the gateway) that a test may crash,
 * stop and start again: what the fault tests (test/e2e/faults/faults-*) do to it under load.
 */
export interface SuiteProcess {
  /** `identity` for the first replica, `identity#2` for the second; `gateway`. */
  readonly name: string;
  /** The process kind: `identity`, …, `gateway`. */
  readonly service: string;
  /** 1 for the first replica. */
  readonly replica: number;
  readonly port: number;
  /** Base URL of its own HTTP listener. */
  readonly url: string;
  /** The running child: the latest one after a restart. */
  readonly handle: ProcessHandle;
  running(): boolean;
  /** Sends `signal` (SIGKILL, the default: a crash; SIGTERM: a graceful stop) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<ExitResult>;
  /** Starts it again (same port, same environment) and waits until its /readyz answers 200. */
  restart(readyTimeoutMs?: number): Promise<void>;
}

export interface Processes {
  readonly list: readonly SuiteProcess[];
  /** The running children of every process (after restarts, the new ones). */
  handles(): ProcessHandle[];
  /** SIGTERM to every process still running; answers each exit. */
  stop(): Promise<ExitResult[]>;
}

export interface LaunchOptions {
  /** The suite's environment: one port per process kind (its first replica's). */
  env: Record<string, string>;
  only?: readonly string[] | undefined;
  replicas?: Replicas | undefined;
  onLine(name: string, line: string): void;
  readyTimeoutMs?: number;
}

function countOf(replicas: Replicas | undefined, service: string): number {
  if (replicas === undefined) return 1;
  // A number counts the services' replicas; gateways only when asked for by name.
  if (typeof replicas === 'number' && service === 'gateway') return 1;
  const n = typeof replicas === 'number' ? replicas : (replicas[service] ?? 1);
  if (!Number.isInteger(n) || n < 1) throw new Error(`replicas of ${service} must be a whole number ≥ 1`);
  return n;
}

const isRunning = (h: ProcessHandle) => h.child.exitCode === null && h.child.signalCode === null;

/**
 * Starts the suite's processes as `npm start` does (scripts/lib/supervisor.mjs spawns each one
 * and waits for its /readyz), with `replicas` processes per service, each on its own port; the
 * gateway's upstream settings then list every replica's base URL.
 */
export async function launchProcesses(opts: LaunchOptions): Promise<Processes> {
  // The suite runs compiled, as users run it; a no-op unless a source changed (npm test builds first).
  await buildAll();
  const env = { ...process.env, ...opts.env } as Record<string, string>;
  const chosen = opts.only ? PROCESSES.filter((p) => opts.only?.includes(p.name)) : PROCESSES;
  const plan: Array<{ spec: ProcessSpec; service: string; replica: number; env: Record<string, string> }> =
    [];
  const upstreams: Record<string, string> = {};
  for (const proc of chosen) {
    const count = countOf(opts.replicas, proc.name);
    const urls: string[] = [];
    for (let replica = 1; replica <= count; replica++) {
      const port = replica === 1 ? env[proc.portVar] || String(proc.defaultPort) : String(await freePort());
      const name = replica === 1 ? proc.name : `${proc.name}#${replica}`;
      plan.push({
        spec: { ...proc, name },
        service: proc.name,
        replica,
        env: { ...env, [proc.portVar]: port },
      });
      urls.push(`http://127.0.0.1:${port}`);
    }
    const variable = UPSTREAM_VAR[proc.name];
    if (variable && count > 1) upstreams[variable] = urls.join(',');
  }
  for (const p of plan) if (p.service === 'gateway') Object.assign(p.env, upstreams);

  const list = plan.map((p) => {
    const port = Number(p.env[p.spec.portVar]);
    const url = `http://127.0.0.1:${port}`;
    let handle = spawnProcess(p.spec, p.env, opts.onLine);
    const proc: SuiteProcess = {
      name: p.spec.name,
      service: p.service,
      replica: p.replica,
      port,
      url,
      get handle() {
        return handle;
      },
      running: () => isRunning(handle),
      async kill(signal = 'SIGKILL') {
        if (isRunning(handle)) handle.child.kill(signal);
        return { name: p.spec.name, ...(await handle.exited) };
      },
      async restart(readyTimeoutMs = 60_000) {
        if (isRunning(handle)) throw new Error(`${p.spec.name} is still running`);
        handle = spawnProcess(p.spec, p.env, opts.onLine);
        try {
          await waitReady(handle, `${url}/readyz`, Date.now() + readyTimeoutMs);
        } catch (err) {
          await stopAll([handle]);
          throw err;
        }
      },
    };
    return proc;
  });

  const handles = () => list.map((p) => p.handle);
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  try {
    await Promise.all(list.map((p) => waitReady(p.handle, `${p.url}/readyz`, deadline)));
  } catch (err) {
    await stopAll(handles());
    throw err;
  }
  return { list, handles, stop: () => stopAll(handles()) };
}
