import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createTestDatabase } from '@propusk/db';
import { eventually, freePort, freePortRange } from '@propusk/testkit';

// `npm start` as users run it: through npm itself, stopped the way a process manager (SIGTERM
// to the npm process) or a terminal (Ctrl-C: SIGINT to the whole foreground group) stops it.
// With `--stand-ins`, the README's "Try every document in five minutes" runs against it, block
// by block, exactly as written there.

// Three boots of the whole suite through npm and the README walk-through: minutes on a loaded machine.
t.setTimeout(300_000);

const ROOT = new URL('../../..', import.meta.url).pathname;
const PORT_VARS = [
  'GATEWAY_PORT',
  'IDENTITY_PORT',
  'VERIFICATION_PORT',
  'FEDERATION_PORT',
  'TOKEN_PORT',
  'NOTIFICATION_PORT',
] as const;
/** The stand-ins: an inbox at the base port, then Telegram … Mail.ru (packages/stand-ins/src/all.ts). */
const STAND_IN_PORTS = 7;

async function freePorts(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const v of PORT_VARS) out[v] = String(await freePort());
  return out;
}

/** `npm start [-- args]` in a process group of its own, so a test can press Ctrl-C on it. */
function runNpmStart(env: Record<string, string>, args: string[] = []) {
  const child = spawn('npm', ['start', ...(args.length ? ['--', ...args] : [])], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}
type Run = ReturnType<typeof runNpmStart>;

/** ms until /readyz answers 200, or what went wrong (with npm start's output) as a string. */
async function readyWithin(gateway: string, run: Run, limitMs: number) {
  const started = Date.now();
  let exitCode: number | null | undefined;
  void run.exited.then((code) => (exitCode = code));
  while (Date.now() - started < limitMs) {
    if (exitCode !== undefined) return `npm start exited with ${exitCode}:\n${run.output().slice(-4000)}`;
    const ok = await fetch(`${gateway}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 250));
  }
  return `not ready after ${limitMs} ms; npm start printed:\n${run.output().slice(-4000)}`;
}

/** Boots `npm start` on a fresh database and free ports; answers when the gateway is ready. */
async function bootNpmStart(t: Test, args: string[] = [], extraEnv: Record<string, string> = {}) {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const ports = await freePorts();
  const namespace = `s${process.pid}${args.length}`;
  const run = runNpmStart(
    { ...ports, ...extraEnv, DATABASE_URL: db.url, PROPUSK_NAMESPACE: namespace, LOG_LEVEL: 'info' },
    args,
  );
  t.teardown(() => {
    if (run.child.exitCode === null) process.kill(-(run.child.pid as number), 'SIGKILL');
  });
  const gateway = `http://127.0.0.1:${ports.GATEWAY_PORT}`;
  const took = await readyWithin(gateway, run, 60_000);
  if (typeof took === 'string')
    throw new Error(`npm start did not make the gateway ready within 60 s: ${took}`);
  t.ok(took < 60_000, `gateway ready after ${took} ms`);
  await eventually(async () => run.output().includes(`ready: gateway at ${gateway}`), 5000);
  return { run, gateway, ports, databaseUrl: db.url, namespace };
}

/** Every listed port refuses connections: nothing of the suite is left running. */
async function allGone(t: Test, ports: number[]) {
  for (const port of ports) {
    await t.rejects(
      fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }),
      `nothing listens on ${port} any more`,
    );
  }
}

/** The shell blocks of one README section, in order. */
function readmeBlocks(heading: string): string[] {
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  const section = readme.split(`\n## ${heading}\n`)[1]?.split(/\n## /)[0] ?? '';
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

t.test(
  'npm start -- --stand-ins: the README walk-through works; SIGTERM to npm stops all, exit 0',
  async (t) => {
    const base = await freePortRange(STAND_IN_PORTS);
    const { run, gateway, ports, databaseUrl, namespace } = await bootNpmStart(t, ['--stand-ins'], {
      STAND_INS_PORT: String(base),
    });
    t.match(run.output(), /identity\s+\|/, 'logs are prefixed with the process name');
    t.match(
      run.output(),
      /stand-ins\s+\| stand-ins: Telegram http:\/\/127\.0\.0\.1:/,
      'the stand-ins say where they are',
    );

    const blocks = readmeBlocks('Try every document in five minutes');
    t.ok(blocks.length >= 5, `the README walks every document (${blocks.length} blocks)`);
    // The blocks share one shell, as a reader pasting them into one terminal would.
    const script = ['set -euo pipefail', ...blocks].join('\n');
    const walk = spawnSync('bash', ['-c', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
      env: {
        ...process.env,
        GW: gateway,
        INBOX: `http://127.0.0.1:${base}/messages`,
        TELEGRAM_API_ROOT: `http://127.0.0.1:${base + 1}`,
        DATABASE_URL: databaseUrl,
        PROPUSK_NAMESPACE: namespace,
      },
    });
    t.equal(
      walk.status,
      0,
      `every README command succeeds:\n${walk.stdout.slice(-3000)}\n${walk.stderr.slice(-3000)}`,
    );

    process.kill(run.child.pid as number, 'SIGTERM');
    t.equal(await run.exited, 0, 'SIGTERM to the npm process: exit 0');
    await allGone(t, [...Object.values(ports).map(Number), base, base + 1, base + 6]);
  },
);

t.test('npm start, then Ctrl-C (SIGINT to the foreground group): every process stops, exit 0', async (t) => {
  const { run, ports } = await bootNpmStart(t);
  process.kill(-(run.child.pid as number), 'SIGINT');
  t.equal(await run.exited, 0, 'exit 0');
  await allGone(t, Object.values(ports).map(Number));
});

t.test('npm start with an unreachable server says which one and how to start it', async (t) => {
  const closed = await freePort();
  const run = runNpmStart({ REDIS_URL: `redis://127.0.0.1:${closed}` });
  const code = await run.exited;
  t.not(code, 0, 'exits non-zero');
  t.match(run.output(), `Redis is not reachable at 127.0.0.1:${closed}`);
  t.match(run.output(), /redis-server --daemonize yes/);
  t.notMatch(run.output(), /Postgres is not reachable/);
});
