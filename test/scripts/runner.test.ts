import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';
import { readTapRun } from '../../scripts/lib/report.mjs';
import { listTestFiles, orderByCost, readTapConfig, runTestFiles } from '../../scripts/lib/runner.mjs';

// `npm test`'s runner (scripts/lib/runner.mjs + report.mjs): the closing count must hold every
// failure, whatever way a file fails (issue 13: "the closing line counts every failure,
// timeouts included"), and the serial files must have the machine alone.

const ROOT = resolve(import.meta.dirname, '../..');
// Inside the tree (ignored by git), so that the files resolve `tap` and `tsx` as real ones do.
const DIR = join('.tap', `runner-test-${process.pid}`);
const LOG = join(ROOT, DIR, 'order.log');

const FILES = {
  'passes.test.ts': `import t from 'tap';\nt.test('two', async (t) => { t.ok(1); t.equal(2, 2); });\n`,
  'fails.test.ts': `import t from 'tap';\nt.test('wrong', async (t) => { t.equal(1, 2, 'one is two'); t.ok(1); });\n`,
  'exits.test.ts': `import t from 'tap';\nt.pass('before');\nprocess.exit(3);\n`,
  'times-out.test.ts': `import t from 'tap';\nt.setTimeout(500);\nt.test('hangs', () => new Promise(() => setInterval(() => {}, 1000)));\n`,
  'spins.test.ts': `import t from 'tap';\nt.pass('before');\nsetTimeout(() => { for (;;); }, 10);\n`,
};
/**
 * A file that logs its start and end; with `peer`, it passes only once the peer has started too
 * (waiting up to 20 s), which only happens when both run at once.
 */
const logged = (name: string, peer?: string) =>
  `import { appendFileSync, readFileSync } from 'node:fs';\nimport t from 'tap';\n` +
  `appendFileSync(${JSON.stringify(LOG)}, 'start ${name}\\n');\n` +
  `const started = (p) => readFileSync(${JSON.stringify(LOG)}, 'utf8').split('\\n').includes('start ' + p);\n` +
  `t.test('waits', async (t) => {\n` +
  (peer
    ? `  for (let i = 0; i < 400 && !started('${peer}'); i++) await new Promise((r) => setTimeout(r, 50));\n` +
      `  t.ok(started('${peer}'), '${peer} runs at the same time');\n`
    : `  t.pass('ran');\n`) +
  `});\n` +
  `t.teardown(() => appendFileSync(${JSON.stringify(LOG)}, 'end ${name}\\n'));\n`;

t.before(() => {
  mkdirSync(join(ROOT, DIR, 'serial'), { recursive: true });
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(ROOT, DIR, name), text);
  writeFileSync(join(ROOT, DIR, 'a.test.ts'), logged('a', 'b'));
  writeFileSync(join(ROOT, DIR, 'b.test.ts'), logged('b', 'a'));
  writeFileSync(join(ROOT, DIR, 'serial', 'c.test.ts'), logged('c'));
});
t.teardown(() => rmSync(join(ROOT, DIR), { recursive: true, force: true }));

async function run(parallel: string[], serial: string[], hardLimitS?: number) {
  const config = { include: [], serial: [], timeoutS: 30, jobs: 2 };
  const lines: string[] = [];
  const { stream, done } = runTestFiles(ROOT, {
    parallel: parallel.map((f) => join(DIR, f)),
    serial: serial.map((f) => join(DIR, f)),
    config,
    env: process.env,
    onStderr: () => {},
    ...(hardLimitS ? { hardLimitS } : {}),
  });
  const totals = await readTapRun(stream, { write: (line) => lines.push(line) });
  return { totals, lines, timings: await done };
}

t.test('every way a file fails is counted, and named', async (t) => {
  const { totals, lines, timings } = await run(Object.keys(FILES), [], 3);
  t.equal(totals.files, 5, 'one result per file');
  t.equal(totals.passed, 5, 'the passing points: 2 + 1 + 1 + 1');
  t.equal(totals.failed, 4, 'a wrong assertion, an exit code, a timeout and a killed file: one each');
  t.same(
    totals.failedFiles.map((f) => f.split('/').pop()).sort(),
    ['exits.test.ts', 'fails.test.ts', 'spins.test.ts', 'times-out.test.ts'],
    'the failed files are named',
  );
  t.ok(
    lines.some((l) => /^FAIL {2}.*exits\.test\.ts/.test(l)) && lines.some((l) => /exitCode: 3/.test(l)),
    'a non-zero exit is a failure, with its code',
  );
  t.ok(
    lines.some((l) => /✗ hangs › timeout!/.test(l)),
    "tap's own timeout, as the file reported it",
  );
  t.ok(
    lines.some((l) => /expired: killed after 3 s/.test(l)),
    'a file deaf to its timeout is killed',
  );
  t.ok(
    lines.some((l) => /^ok {4}.*passes\.test\.ts {2}\(2 passed/.test(l)),
    'one line for a passing file',
  );
  t.equal(Object.keys(timings).length, 5, 'every file has a duration');
});

t.test('serial files run alone, after the others', async (t) => {
  rmSync(LOG, { force: true });
  const { totals } = await run(['a.test.ts', 'b.test.ts'], ['serial/c.test.ts']);
  t.equal(totals.failed, 0);
  t.equal(totals.passed, 3, 'a and b each saw the other running: they ran at once');
  const order = readFileSync(LOG, 'utf8').trim().split('\n');
  t.same(order.slice(-2), ['start c', 'end c'], 'the serial file starts after both ended');
  t.equal(order.length, 6, 'every file started and ended once');
});

t.test('.taprc decides which files run, and which alone', async (t) => {
  const config = readTapConfig(ROOT);
  t.equal(config.jobs, 2);
  t.ok(config.timeoutS >= 30);
  const all = await listTestFiles(ROOT, config, []);
  t.ok(all.parallel.includes('test/scripts/runner.test.ts'), 'this file is among them');
  t.ok(
    all.serial.length > 0 && all.serial.every((f) => f.startsWith('test/e2e/serial/')),
    'serial: test/e2e/serial',
  );
  t.notOk(
    all.parallel.some((f) => f.startsWith('test/e2e/serial/') || f.includes('node_modules')),
    'no file twice, none from node_modules',
  );
  const folder = await listTestFiles(ROOT, config, ['test/e2e/serial/']);
  t.same(folder.parallel, [], 'a folder argument keeps its serial files serial');
  t.same(folder.serial, all.serial);
});

t.test('longest first: new files by size, then the last run durations', async (t) => {
  const files = ['test/docs/security.test.ts', 'test/scripts/runner.test.ts', 'test/bench/stats.test.ts'];
  const ordered = orderByCost(files, ROOT, {
    'test/docs/security.test.ts': 10,
    'test/bench/stats.test.ts': 90,
  });
  t.same(ordered, ['test/scripts/runner.test.ts', 'test/bench/stats.test.ts', 'test/docs/security.test.ts']);
});
