import t from 'tap';
import { spawn } from 'node:child_process';
import { createTestDatabase } from '@propusk/db';
import { eventually, freePort } from '@propusk/testkit';

const ROOT = new URL('../../..', import.meta.url).pathname;

async function freePorts(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const v of [
    'GATEWAY_PORT',
    'IDENTITY_PORT',
    'VERIFICATION_PORT',
    'FEDERATION_PORT',
    'TOKEN_PORT',
    'NOTIFICATION_PORT',
  ]) {
    out[v] = String(await freePort());
  }
  return out;
}

function runStart(env: Record<string, string>) {
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

/** ms until /readyz answers 200, or what went wrong (with npm start's output) as a string. */
async function readyWithin(gateway: string, run: ReturnType<typeof runStart>, limitMs: number) {
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

t.test('npm start: ready on the gateway within 60 s, SIGTERM stops everything with exit 0', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const ports = await freePorts();
  const run = runStart({
    ...ports,
    DATABASE_URL: db.url,
    PROPUSK_NAMESPACE: `s${process.pid}`,
    LOG_LEVEL: 'info',
  });
  t.teardown(() => void run.child.kill('SIGKILL'));
  const gateway = `http://127.0.0.1:${ports.GATEWAY_PORT}`;
  const took = await readyWithin(gateway, run, 60_000);
  if (typeof took === 'string') {
    t.fail(`npm start did not make the gateway ready within 60 s: ${took}`);
    return;
  }
  t.ok(took < 60_000, `gateway ready after ${took} ms`);
  await eventually(async () => run.output().includes(`ready: gateway at ${gateway}`), 5000);
  t.match(run.output(), /identity\s+\|/, 'logs are prefixed with the process name');

  run.child.kill('SIGTERM');
  const code = await run.exited;
  t.equal(code, 0, 'exit 0');
  await t.rejects(fetch(`${gateway}/healthz`), 'the gateway is gone');
  for (const v of ['IDENTITY_PORT', 'TOKEN_PORT', 'NOTIFICATION_PORT']) {
    await t.rejects(fetch(`http://127.0.0.1:${ports[v]}/healthz`), `${v} process is gone`);
  }
});

t.test('npm start with an unreachable server says which one and how to start it', async (t) => {
  const closed = await freePort();
  const run = runStart({ REDIS_URL: `redis://127.0.0.1:${closed}` });
  const code = await run.exited;
  t.not(code, 0, 'exits non-zero');
  t.match(run.output(), `Redis is not reachable at 127.0.0.1:${closed}`);
  t.match(run.output(), /redis-server --daemonize yes/);
  t.notMatch(run.output(), /Postgres is not reachable/);
});
