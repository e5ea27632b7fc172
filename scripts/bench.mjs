#!/usr/bin/env node
// `npm run bench`: installs and generates when needed, checks Postgres, Redis and NATS, then runs
// the benchmark (bench/run.ts) in a child that boots the suite, drives it from separate load
// processes on loopback and stops everything it started, also on failure or Ctrl-C.
// `npm run bench -- --duration=5 --only=gateway --cpu-prof=gateway`: see bench/run.ts.
import { spawn } from 'node:child_process';
import { ROOT, ensureInstalled, ensureGenerated } from './lib/bootstrap.mjs';
import { checkInfra, describeMissing } from './lib/infra.mjs';

const say = (msg) => process.stderr.write(`[propusk] ${msg}\n`);

const missing = await checkInfra(process.env);
if (missing.length > 0) {
  process.stderr.write(`[propusk] cannot bench:\n${describeMissing(missing)}\n`);
  process.exit(1);
}
ensureInstalled(say);
ensureGenerated(say);

const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
// Ctrl-C reaches the whole process group: the child cleans up and exits; this one waits for it.
// A signal sent to this process alone is passed on.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
