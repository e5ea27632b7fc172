#!/usr/bin/env node
// `npm test`: works on a clean clone. Installs and generates when needed, checks that
// Postgres, Redis and NATS are reachable (saying how to start the missing ones), runs every
// test with tap, then prints `N passed, N failed` counted from tap's saved results.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureInstalled, ensureGenerated } from './lib/bootstrap.mjs';
import { checkInfra, describeMissing } from './lib/infra.mjs';

const say = (msg) => process.stdout.write(`[propusk] ${msg}\n`);

const missing = await checkInfra(process.env);
if (missing.length > 0) {
  process.stderr.write(`[propusk] cannot test:\n${describeMissing(missing)}\n`);
  process.exit(1);
}
ensureInstalled(say);
ensureGenerated(say);
// Imported only now: tap-parser exists once the dependencies are installed.
const { countResults } = await import('./lib/count.mjs');

const results = join(ROOT, '.tap', 'test-results');
rmSync(results, { recursive: true, force: true });
const tap = spawnSync(join(ROOT, 'node_modules', '.bin', 'tap'), process.argv.slice(2), {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
const totals = countResults(results);
if (tap.status !== 0 && totals.failed === 0) totals.failed = 1; // tap failed outside any test point
say(`${totals.files} test files`);
process.stdout.write(
  `${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`,
);
process.exit(tap.status === 0 && totals.failed === 0 ? 0 : 1);
