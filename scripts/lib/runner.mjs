// Runs the test files as `npm test` wants them: each file in its own `node --import tsx`
// process, `jobs` at a time, the timing-sensitive ones (.taprc `serial`) alone at the end.
//
// Why not tap's own runner: it starts every file through its loader and plugin chain, which
// costs about 3 s of CPU per file on top of the file's own work, over 180 files on a 2-core
// machine (issue 13: the whole run within 12 minutes). A tap test file is a plain program
// that prints TAP, so running it with node keeps every assertion and timeout of tap.
//
// The files' streams are put together into one TAP stream, each file a subtest of the root,
// as tap's runner does, and read by report.mjs: the same one line per file and the same
// totals, with timeouts and crashes counted.
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { glob } from 'glob';
import { parse as parseYaml } from 'yaml';

/**
 * Every file's hard limit, above any file's own timeout (TAP_TIMEOUT from .taprc, which a file's
 * `t.setTimeout` raises, to 360 s at most today): for a file deaf to its own, a busy loop or a
 * timeout that leaves handles open.
 */
const HARD_LIMIT_S = 420;
/** After a hard limit's SIGTERM, the file gets this long to print what was pending before SIGKILL. */
const KILL_GRACE_MS = 5_000;

/** The run's settings, from .taprc: what `npx tap` would run is what `npm test` runs. */
export function readTapConfig(root) {
  const rc = parseYaml(readFileSync(join(root, '.taprc'), 'utf8')) ?? {};
  return Object.freeze({
    include: rc.include ?? ['**/*.test.ts'],
    serial: rc.serial ?? [],
    timeoutS: Number(rc.timeout ?? 30),
    jobs: Math.max(1, Number(process.env.PROPUSK_TEST_JOBS ?? rc.jobs ?? 2)),
  });
}

/** Test files named on the command line (files or folders), or every file .taprc includes. */
export async function listTestFiles(root, config, args) {
  const patterns =
    args.length === 0
      ? config.include
      : args.map((a) => (statSync(join(root, a)).isDirectory() ? `${a.replace(/\/$/, '')}/**/*.test.ts` : a));
  const files = await glob(patterns, { cwd: root, ignore: ['**/node_modules/**'], posix: true });
  const isSerial = (f) =>
    config.serial.some((dir) => f === dir || f.startsWith(`${dir.replace(/\/$/, '')}/`));
  return { parallel: files.filter((f) => !isSerial(f)), serial: files.filter(isSerial).sort() };
}

/**
 * Longest first, so that no long file starts last while the other cores sit idle. The last
 * run's durations (kept in .tap) say what is long; a file with none is placed by its size.
 */
export function orderByCost(files, root, timings) {
  const cost = (f) => timings[f] ?? statSync(join(root, f)).size;
  const known = files.filter((f) => timings[f] !== undefined).sort((a, b) => cost(b) - cost(a));
  const unknown = files.filter((f) => timings[f] === undefined).sort((a, b) => cost(b) - cost(a));
  return [...unknown, ...known];
}

export function readTimings(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/** Test files running now: each leads a process group of its own (its suites' processes too). */
const running = new Set();

/** Signals a test file's whole group: the file and every process it started. */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * Ctrl-C, or SIGTERM to `npm test`: the files and what they started stop too, rather than run
 * on with no parent. Installed once, while files run.
 */
function stopFilesOnSignal() {
  const stop = (signal) => {
    for (const child of running) signalGroup(child, 'SIGTERM');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Runs one test file; resolves with its output and how it ended. Never rejects. */
function runFile(root, file, { timeoutS, hardLimitS, env, onStderr }) {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    env: { ...env, NODE_ENV: 'test', TAP_TIMEOUT: String(timeoutS) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => onStderr(file, d));
  let expired = false;
  const hardLimit = setTimeout(() => {
    expired = true;
    signalGroup(child, 'SIGTERM');
    setTimeout(() => signalGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
  }, hardLimitS * 1000);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      running.delete(child);
      clearTimeout(hardLimit);
      resolve({
        file,
        stdout,
        code: null,
        signal: null,
        error: String(error),
        expired,
        ms: Date.now() - started,
      });
    });
    child.once('close', (code, signal) => {
      running.delete(child);
      clearTimeout(hardLimit);
      resolve({ file, stdout, code, signal, expired, ms: Date.now() - started });
    });
  });
}

/** One finished file as a subtest of the root stream, the way tap's runner writes it. */
function asSubtest(result, index, hardLimitS) {
  const body = result.stdout
    .split('\n')
    .filter((line) => !/^TAP version \d+$/.test(line))
    .map((line) => (line === '' ? '' : `    ${line}`))
    .join('\n')
    .trimEnd();
  const ok = result.code === 0 && !result.expired;
  const head = `${ok ? 'ok' : 'not ok'} ${index} - ${result.file} # time=${result.ms}ms`;
  if (ok) return `# Subtest: ${result.file}\n${body}\n${head}\n`;
  const diag = [
    '  ---',
    `  exitCode: ${JSON.stringify(result.code)}`,
    `  signal: ${JSON.stringify(result.signal)}`,
    ...(result.expired ? [`  expired: "killed after ${hardLimitS} s"`] : []),
    ...(result.error ? [`  message: ${JSON.stringify(result.error)}`] : []),
    '  ...',
  ];
  return `# Subtest: ${result.file}\n${body}\n${head}\n${diag.join('\n')}\n`;
}

/**
 * Runs `parallel` files `jobs` at a time, then `serial` ones alone. Answers a TAP stream (for
 * report.mjs) and a promise of every file's duration, settled once the stream has ended.
 */
export function runTestFiles(root, { parallel, serial, config, env, onStderr, hardLimitS = HARD_LIMIT_S }) {
  const stream = new PassThrough();
  const total = parallel.length + serial.length;
  stream.write(`TAP version 14\n1..${total}\n`);
  let index = 0;
  const timings = {};
  const finish = (result) => {
    timings[result.file] = result.ms;
    stream.write(asSubtest(result, ++index, hardLimitS));
  };
  const opts = { timeoutS: config.timeoutS, hardLimitS, env, onStderr };

  async function worker(queue) {
    for (let file = queue.shift(); file !== undefined; file = queue.shift())
      finish(await runFile(root, file, opts));
  }
  stopFilesOnSignal();
  const done = (async () => {
    const queue = [...parallel];
    await Promise.all(Array.from({ length: Math.min(config.jobs, queue.length) }, () => worker(queue)));
    // Timing-sensitive files (login timing, a 60 s start, a NATS restart) get the machine alone.
    await worker([...serial]);
    stream.end();
    return timings;
  })();
  return { stream, done };
}

export function saveTimings(file, previous, timings) {
  writeFileSync(file, `${JSON.stringify({ ...previous, ...timings }, null, 2)}\n`);
}
