import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { claimPort, freePort } from '../src/ports.js';

// Test files run side by side and each boots suites on ports the OS calls free: a port handed to
// one test process must not be handed to another while it lives (two suites on one port: one
// gateway talking to the other suite's service).

// Above Linux's ephemeral range (32768-60999): no real run is given these.
const PORT = 65_101;
const CLAIMS = join(tmpdir(), 'propusk-test-ports');

t.test('a port is handed out once, and never one a living process holds', async (t) => {
  t.teardown(() => {
    for (const p of [PORT, PORT + 1]) rmSync(join(CLAIMS, String(p)), { force: true });
  });
  t.ok(claimPort(PORT), 'free: taken');
  t.notOk(claimPort(PORT), 'not twice to the same process');

  const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  writeFileSync(join(CLAIMS, String(PORT + 1)), String(holder.pid));
  t.notOk(claimPort(PORT + 1), 'held by another living process: refused');
  holder.kill('SIGKILL');
  await exited;
  t.ok(claimPort(PORT + 1), 'its holder is dead: taken over');
});

t.test('freePort: distinct ports, each claimed by this process', async (t) => {
  const ports = [];
  for (let i = 0; i < 20; i++) ports.push(await freePort());
  t.equal(new Set(ports).size, 20, 'twenty different ports');
  t.ok(
    ports.every((p) => !claimPort(p)),
    'each is held: no other test process is given it',
  );
});
