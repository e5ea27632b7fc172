import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, reachable } from '@propusk/testkit';

/**
 * Private NATS and Redis servers (the real binaries) for tests that crash them: the machine's
 * shared servers serve every other test. Each restarts with the same command line (NATS: the
 * same JetStream store directory), as an operator's supervisor would.
 */
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export interface PrivateServer {
  /** nats://… or redis://… */
  readonly url: string;
  /** SIGKILL (a crash), waiting until the port refuses connections. */
  kill(): Promise<void>;
  /** Starts it again on the same port (and store), waiting until the port accepts connections. */
  restart(): Promise<void>;
  /** Kills it for good and removes its files (teardown). */
  dispose(): Promise<void>;
}

async function privateServer(
  scheme: string,
  start: (port: number) => ChildProcess,
  cleanup: () => void = () => {},
): Promise<PrivateServer & { port: number }> {
  const port = await freePort();
  let child = start(port);
  const up = () => eventually(() => reachable(port), 10_000, 50);
  await up();
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await eventually(async () => !(await reachable(port)), 5000, 50);
  };
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    kill: stop,
    async restart() {
      child = start(port);
      await up();
    },
    async dispose() {
      await stop().catch(() => undefined);
      cleanup();
    },
  };
}

/** NATS with JetStream (file store in a temporary directory) and its monitoring port. */
export async function startPrivateNats(): Promise<PrivateServer & { port: number; monitorUrl: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'propusk-nats-'));
  const monitor = await freePort();
  const server = await privateServer(
    'nats',
    (port) =>
      spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-js', '-sd', dir], {
        stdio: 'ignore',
      }),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  return { ...server, monitorUrl: `http://127.0.0.1:${monitor}` };
}

/**
 * Redis as docker-compose.yml runs it: with its append-only file (in a temporary directory),
 * so a crash loses nothing it acknowledged (the file is written before Redis answers; only an
 * operating-system crash could lose the last second), and a restart reloads it.
 * `persistent: false` runs it as the machine's shared Redis runs: a restart starts empty.
 */
export function startPrivateRedis({ persistent = true } = {}): Promise<PrivateServer & { port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'propusk-redis-'));
  const appendOnly = persistent ? 'yes' : 'no';
  return privateServer(
    'redis',
    (port) =>
      spawn(
        REDIS_SERVER,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          appendOnly,
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      ),
    () => rmSync(dir, { recursive: true, force: true }),
  );
}

/**
 * Messages JetStream still holds for the suite's consumers (pending or delivered but not
 * acknowledged), from NATS's monitoring endpoint: zero once every queued notification settled.
 */
export async function unsettledNotifications(monitorUrl: string): Promise<number> {
  const res = await fetch(`${monitorUrl}/jsz?consumers=true`, { signal: AbortSignal.timeout(2000) });
  const jsz = (await res.json()) as {
    account_details?: Array<{
      stream_detail?: Array<{
        name: string;
        consumer_detail?: Array<{ num_pending: number; num_ack_pending: number; num_redelivered: number }>;
      }>;
    }>;
  };
  let open = 0;
  for (const account of jsz.account_details ?? [])
    for (const stream of account.stream_detail ?? [])
      for (const c of stream.consumer_detail ?? []) open += c.num_pending + c.num_ack_pending;
  return open;
}
