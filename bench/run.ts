// `npm run bench` (through scripts/bench.mjs): boots the suite, drives it from separate load
// processes on loopback, prints the table and writes bench/results/<date>.json and latest.json.
// Options: --duration=<s per measure> (10) --only=login,gateway,refresh,nats,revocation,redis
//          --cpu-prof=<gateway|gateway-noauth|identity|token|…> (profiles that process; top frames printed)
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Suite } from '@propusk/testkit';
import { PROCESSES } from '../scripts/lib/supervisor.mjs';
import {
  measureGateway,
  measureLogin,
  measureNats,
  measureRedis,
  measureRefresh,
  measureRevocation,
  type Settings,
} from './lib/measures.js';
import { createRssSampler, ROOT, stopTracked } from './lib/procs.js';
import { profileReport } from './lib/profile.js';
import { cpuTable, machine, rows, summaryLine, type Results } from './lib/report.js';
import { setupBench, type Bench } from './lib/setup.js';
import { formatTable } from './lib/stats.js';

const MEASURES = ['redis', 'login', 'gateway', 'refresh', 'nats', 'revocation'] as const;
type Measure = (typeof MEASURES)[number];
const PROFILABLE = [...PROCESSES.map((p) => p.name), 'gateway-noauth'];
/** The whole run is bounded: past this the bench stops everything and fails. */
const WATCHDOG_MS = 10 * 60_000;

/** How to read the figures (printed under the tables). */
const NOTES = [
  'Notes:',
  '- "auth off" is the gateway\'s own main.ts with its Authenticator swapped by a module hook for one that',
  '  answers a fixed identity at no cost (bench/noauth/): same route, proxy, rate limit and upstream answer.',
  "- Every process, the load generators included, shares this machine's cores: throughputs are of the",
  "  whole box; the CPU table says where each request's time went, which is steadier than a rate.",
  '- "by server CPU": the same ratio from the CPU each run cost the suite\'s processes per request (from',
  '  /proc, the load generator left out): on a CPU-bound box throughput goes as 1 / CPU per request.',
  '- Latencies are from the load process (autocannon: ms resolution), loopback only.',
];

const say = (msg: string) => process.stdout.write(`[bench] ${msg}\n`);

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  const durationS = Number(values.duration);
  if (!(durationS >= 1 && durationS <= 120)) throw new Error('--duration: 1 to 120 seconds per measure');
  const only = values.only ? values.only.split(',') : [...MEASURES];
  for (const m of only)
    if (!(MEASURES as readonly string[]).includes(m)) throw new Error(`--only: no measure ${m}`);
  const cpuProf = values['cpu-prof'];
  if (cpuProf !== undefined && !PROFILABLE.includes(cpuProf)) {
    throw new Error(`--cpu-prof: one of ${PROFILABLE.join(', ')}`);
  }
  const settings: Settings = {
    durationS,
    warmupS: Math.min(2, Math.max(1, Math.round(durationS / 5))),
    httpConnections: 16,
    loginConnections: 8,
    refreshConnections: 16,
    natsConcurrency: 16,
    rounds: 2,
  };
  return {
    settings,
    only: new Set(only as Measure[]),
    cpuProf,
    logLevel: values['log-level'] ?? 'warn',
  };
}

let suite: Suite | undefined;
let bench: Bench | undefined;
let cleaning: Promise<void> | undefined;

/** Stops every process the bench started, then the suite (which drops its database). */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await bench?.nats.drain().catch(() => undefined);
    await stopTracked();
    await suite?.stop().catch(() => undefined);
  })();
  return cleaning;
}

async function main(): Promise<number> {
  const opts = options();
  const startedAt = new Date();
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  const profileDir = join(tmpdir(), `propusk-bench-${stamp}`);
  const b = await setupBench(
    { logLevel: opts.logLevel, cpuProf: opts.cpuProf, profileDir, log: say },
    (s) => (suite = s),
  );
  bench = b;
  const rss = createRssSampler(() => b.processes());
  const results: Results = {};
  const s = opts.settings;
  const run = async <T>(name: Measure, what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    if (!opts.only.has(name)) return undefined;
    say(what);
    return rss.during(fn);
  };

  // Memory first: the later loads leave thousands of sessions behind.
  results.redis = await run('redis', 'Redis memory per session (500 sessions of each profile)', () =>
    measureRedis(b),
  );
  await rss.idle();
  results.login = await run('login', `drf login vs bare argon2 (${s.durationS} s each)`, () =>
    measureLogin(b, s),
  );
  results.gateway = await run(
    'gateway',
    `authenticated requests vs bare limits (6 targets × ${s.rounds} rounds, ${s.durationS} s each)`,
    () => measureGateway(b, s),
  );
  results.refresh = await run(
    'refresh',
    `refresh rotation, saturated then at half load (${s.durationS} s each)`,
    () => measureRefresh(b, s),
  );
  results.nats = await run(
    'nats',
    'introspection over NATS: saturated, then half load, then the bare hop',
    () => measureNats(b, s),
  );
  results.revocation = await run('revocation', 'revocation seen by two gateways', () => measureRevocation(b));
  results.rss = rss.figures();

  const machineInfo = machine();
  const table = rows(results, { login: s.loginConnections, http: s.httpConnections }, machineInfo.cores);
  process.stdout.write(
    `\nPropusk bench — ${startedAt.toISOString()} — ${machineInfo.cpu}, ${machineInfo.cores} cores, ` +
      `${machineInfo.memoryGiB} GiB, Node ${machineInfo.node}, load average ${machineInfo.loadavg.join(' ')}\n\n` +
      `${formatTable(table)}\n\n${summaryLine(table)}\n`,
  );
  const cpu = cpuTable(results);
  process.stdout.write(`\n${cpu.text}\n`);
  process.stdout.write(`\n${NOTES.join('\n')}\n`);

  const report = {
    startedAt: startedAt.toISOString(),
    machine: machineInfo,
    settings: { ...s, logLevel: opts.logLevel, cpuProf: opts.cpuProf ?? null },
    results,
    table,
    cpuPerRequestUs: cpu.rows,
    summary: summaryLine(table),
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const body = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(join(dir, `${stamp}.json`), body);
  writeFileSync(join(dir, 'latest.json'), body);
  say(`wrote bench/results/${stamp}.json and bench/results/latest.json`);

  await cleanup();
  if (b.profileDir) process.stdout.write(`\n${profileReport(b.profileDir)}\n`);
  return 0;
}

let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  say(`${signal}: stopping every process the bench started`);
  void cleanup().finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const watchdog = setTimeout(() => {
  say(`the bench ran past ${WATCHDOG_MS / 60_000} minutes: stopping`);
  void cleanup().finally(() => process.exit(1));
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    // After Ctrl-C the measures fail as their processes go away: that is no failure to report.
    if (interrupted) return;
    console.error(`[bench] failed: ${(err as Error)?.stack ?? String(err)}`);
    await cleanup();
    process.exit(1);
  },
);
