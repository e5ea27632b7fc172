#!/usr/bin/env node
// `npm test`: works on a clean clone. Installs and generates when needed, checks that
// Postgres, Redis and NATS are reachable (saying how to start the missing ones), type-checks
// and lints the tree, runs every test file (lib/runner.mjs), and prints one line per test file
// and last `N passed, N failed`, counted from the files' TAP (timeouts and crashes included).
//
// `npm test -- <files or folders…>` runs only those (no static checks). The whole TAP stream is
// kept in .tap/report.tap, the files' standard error in .tap/stderr.log.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureInstalled, ensureGenerated } from './lib/bootstrap.mjs';
import { buildAll } from './lib/build.mjs';
import { checkInfra, describeMissing } from './lib/infra.mjs';

const say = (msg) => process.stdout.write(`[propusk] ${msg}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs a command to its end, keeping its output; answers the exit code and the output's tail. */
function runQuiet(cmd, args) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
    let output = '';
    const keep = (d) => (output = (output + d).slice(-6000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('close', (code, signal) =>
      resolve({ ok: code === 0, code: code ?? signal, output, ms: Date.now() - started }),
    );
  });
}

/**
 * Type-check and lint, side by side, as steps of their own (a tap test would share tap's
 * per-file timeout and the cores with the suites). Each counts as one point of the total.
 */
async function staticChecks(totals) {
  const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
  const checks = [
    { name: 'typecheck (tsc, strict, the whole tree)', run: runQuiet(bin('tsc'), ['-p', 'tsconfig.json']) },
    { name: 'lint (eslint .)', run: runQuiet(bin('eslint'), ['.']) },
  ];
  for (const check of checks) {
    const r = await check.run;
    if (r.ok) totals.passed++;
    else totals.failed++;
    process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'}  ${check.name}  (${seconds(r.ms)})\n`);
    if (!r.ok) process.stdout.write(`${r.output.trimEnd().replace(/^/gm, '      ')}\n`);
  }
}

async function runTests(args, totals) {
  const dir = join(ROOT, '.tap');
  mkdirSync(dir, { recursive: true });
  // Imported only now: tap-parser, glob and yaml exist once the dependencies are installed.
  const { readTapRun } = await import('./lib/report.mjs');
  const runner = await import('./lib/runner.mjs');
  const config = runner.readTapConfig(ROOT);
  const { parallel, serial } = await runner.listTestFiles(ROOT, config, args);
  const timingsFile = join(dir, 'timings.json');
  const previous = runner.readTimings(timingsFile);
  const stderr = createWriteStream(join(dir, 'stderr.log'));
  const { stream, done } = runner.runTestFiles(ROOT, {
    parallel: runner.orderByCost(parallel, ROOT, previous),
    serial,
    config,
    env: process.env,
    onStderr: (file, chunk) => stderr.write(String(chunk).replace(/^(?=.)/gm, `${file}: `)),
  });
  const run = await readTapRun(stream, {
    rawFile: join(dir, 'report.tap'),
    write: (line) => process.stdout.write(`${line}\n`),
  });
  runner.saveTimings(timingsFile, previous, await done);
  stderr.end();
  totals.passed += run.passed;
  totals.failed += run.failed;
  totals.skipped += run.skipped;
  return run;
}

const missing = await checkInfra(process.env);
if (missing.length > 0) {
  process.stderr.write(`[propusk] cannot test:\n${describeMissing(missing)}\n`);
  process.exit(1);
}
ensureInstalled(say);
ensureGenerated(say);
// The end-to-end suites run the compiled processes, as `npm start` does: build once, up front.
await buildAll({ log: say });

const started = Date.now();
const totals = { passed: 0, failed: 0, skipped: 0 };
const files = process.argv.slice(2);
if (files.length === 0) {
  say('static checks');
  await staticChecks(totals);
}
say(files.length === 0 ? 'test files (.taprc)' : `test files: ${files.join(' ')}`);
const run = await runTests(files, totals);
say(
  `${run.files} test files in ${seconds(Date.now() - started)}; the whole TAP stream is in .tap/report.tap`,
);
if (run.failedFiles.length > 0) say(`failed: ${run.failedFiles.join(', ')}`);
process.stdout.write(
  `${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`,
);
process.exit(totals.failed === 0 ? 0 : 1);
