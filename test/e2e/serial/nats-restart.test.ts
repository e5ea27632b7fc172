import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootSuite, eventually, freePort } from '@propusk/testkit';

// A private NATS server (the real binary, with JetStream) so killing it does not disturb
// other tests that share the machine's NATS.
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

function startNats(port: number, dir: string): ChildProcess {
  return spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
}

async function readyStatus(url: string): Promise<number> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
  return res.status;
}

t.test('NATS killed and restarted: /readyz is green again within 10 s of NATS being back', async (t) => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'propusk-nats-'));
  let nats = startNats(port, dir);
  await eventually(async () => {
    const r = await fetch(`http://127.0.0.1:${port}`).catch((e: Error) => e);
    return !(r instanceof Error && /ECONNREFUSED/.test(String(r.cause)));
  }, 5000);
  const suite = await bootSuite({ env: { NATS_URL: `nats://127.0.0.1:${port}` } });
  t.teardown(async () => {
    await suite.stop();
    nats.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  t.equal(await readyStatus(suite.url), 200, 'ready before the outage');

  nats.kill('SIGKILL');
  await eventually(async () => (await readyStatus(suite.url)) === 503, 10_000);
  t.pass('unready while NATS is down');

  nats = startNats(port, dir);
  const took = await eventually(async () => (await readyStatus(suite.url)) === 200, 10_000);
  t.ok(took < 10_000, `ready again ${took} ms after NATS restarted`);
  for (const h of suite.handles) t.equal(h.child.exitCode, null, `${h.proc.name} kept running`);
});
