import { cpus, loadavg, totalmem } from 'node:os';
import type { HttpFigures, HttpTarget, LoopFigures, Merged } from './measures.js';
import type { RssFigures } from './procs.js';
import {
  cpuPerRequestUs,
  fmt,
  formatGrid,
  judge,
  overheadUs,
  ratio,
  type Row,
  type Target,
} from './stats.js';
import type { CpuSnapshot } from './procs.js';

export function machine() {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadavg: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

/** The issue's targets (issue 8), each compared in the same run. */
export const TARGETS = {
  loginVsArgon2: { kind: 'min', value: 0.85, text: '≥ 85% of bare argon2' },
  gatewayVsNoauth: { kind: 'min', value: 0.85, text: '≥ 85% of auth off' },
  gatewayVsBareProxy: { kind: 'min', value: 0.5, text: '≥ 50% of bare proxy' },
  refreshRps: { kind: 'min', value: 960, text: '≥ 960/s' },
  refreshP99: { kind: 'max', value: 20, text: 'p99 ≤ 20 ms' },
  natsP99: { kind: 'max', value: 1, text: 'p99 ≤ 1 ms' },
  revocationMs: { kind: 'max', value: 1000, text: '≤ 1000 ms' },
  redisBytes: { kind: 'max', value: 1024, text: '≤ 1024 B' },
} as const satisfies Record<string, Target>;

const lat = (p50: number, p99: number) => `p50 ${fmt(p50, 'ms')}, p99 ${fmt(p99, 'ms')}`;
const rpsText = (rps: number, what = 'req/s') => `${fmt(rps)} ${what}`;

function row(measure: string, figure: string, target?: Target, compared?: number): Row {
  return {
    measure,
    figure,
    ...(compared !== undefined ? { compared } : {}),
    ...(target ? { target: target.text, verdict: judge(compared ?? NaN, target) } : {}),
  };
}

/** Failed answers are worth a note in the figure: a fast 401 is not a throughput. */
function failures(r: { non2xx: number; errors: number }): string {
  return r.non2xx + r.errors > 0 ? ` [${r.non2xx} non-2xx, ${r.errors} errors]` : '';
}

export interface Results {
  login?: { login: HttpFigures; argon2: LoopFigures & { params: unknown; threadPool: number } };
  gateway?: Record<HttpTarget, Merged> & {
    diagnostics: { tokenChecks: number; introspections: number; introspectionsPer1000Checks: number };
  };
  refresh?: { saturated: HttpFigures; half: HttpFigures; halfRate: number };
  nats?: { saturated: LoopFigures; half: LoopFigures; echo: LoopFigures; rate: number; serverP99Ms: number };
  revocation?: { trials: Array<{ gatewayMs: number; gateway2Ms: number }>; maxMs: number; medianMs: number };
  redis?: {
    sessionsPerProfile: number;
    profiles: Record<
      string,
      { bytesPerSession: number; keysPerSession: number; byClass: Record<string, number> }
    >;
    adminRotation: {
      sessions: number;
      rotations: number;
      bytesPerRotation: number;
      keptBytesPerRotation: number;
      projectedWeekBytesPerSession: number;
      byClass: Record<string, number>;
    };
  };
  rss?: Record<string, RssFigures>;
}

/** CPU µs per request summed over the server-side processes of a run (the load generator left out). */
function serverCpuUs(run: CpuRun, processes: readonly string[]): number {
  const per = cpuPerRequestUs(run.cpuMs, run.answered);
  return processes.reduce((a, p) => a + (per[p] ?? 0), 0);
}

/**
 * On a CPU-bound machine throughput goes as 1 / CPU per request: the reference's server CPU per
 * request over the measured one estimates the throughput ratio without the neighbours' noise.
 */
function cpuRatio(ref: CpuRun, refProcs: readonly string[], run: CpuRun, procs: readonly string[]): number {
  return ratio(serverCpuUs(ref, refProcs), serverCpuUs(run, procs));
}

function cpuFigure(ref: CpuRun, refProcs: readonly string[], run: CpuRun, procs: readonly string[]): string {
  return `${fmt(serverCpuUs(run, procs), 'µs')} vs ${fmt(serverCpuUs(ref, refProcs), 'µs')}`;
}

const HTTP_LABELS: Record<HttpTarget, string> = {
  gatewayCheckToken: 'check_token via gateway (drf, verification cached)',
  noauthCheckToken: 'check_token via gateway, auth constant ("auth off")',
  tokenServiceCheckToken: 'check_token on the token service, no gateway',
  gatewayValidateAccess: 'validate/jwt/access via gateway (002)',
  bareProxy: 'bare @fastify/http-proxy → Fastify',
  bareFastify: 'bare Fastify route',
};

/** The processes a refresh crosses: gateway → identity → token (NATS) → Redis. */
const REFRESH_PATH = ['gateway', 'identity', 'token'];

export function rows(r: Results, connections: { login: number; http: number }, cores: number): Row[] {
  const out: Row[] = [];
  if (r.login) {
    const { login, argon2 } = r.login;
    out.push(
      row(
        `drf login via gateway (${connections.login} conns)`,
        `${rpsText(login.rps)}, ${lat(login.latencyMs.p50, login.latencyMs.p99)}${failures(login)}`,
      ),
      row(
        `bare argon2id verify (${connections.login} in flight)`,
        `${rpsText(argon2.rps, 'verify/s')}, ${lat(argon2.latencyMs.p50, argon2.latencyMs.p99)}`,
      ),
      row('login ÷ bare argon2', '', TARGETS.loginVsArgon2, ratio(login.rps, argon2.rps)),
      row(
        'login ÷ bare argon2, by server CPU',
        cpuFigure(argon2, ['load'], login, ['gateway', 'identity', 'token']),
        TARGETS.loginVsArgon2,
        cpuRatio(argon2, ['load'], login, ['gateway', 'identity', 'token']),
      ),
    );
  }
  if (r.gateway) {
    const g = r.gateway;
    for (const [name, label] of Object.entries(HTTP_LABELS) as Array<[HttpTarget, string]>) {
      const m = g[name];
      out.push(
        row(
          `${label} (${connections.http} conns)`,
          `${rpsText(m.rps)}, ${lat(m.p50Ms, m.p99Ms)}${failures(m)}`,
        ),
      );
    }
    const d = g.diagnostics;
    out.push(
      row(
        'gateway: introspections per 1000 drf checks',
        `${fmt(d.introspectionsPer1000Checks)} (${d.introspections} of ${d.tokenChecks} checks)`,
      ),
    );
    const gw = g.gatewayCheckToken.rps;
    out.push(
      row('check_token ÷ auth off', '', TARGETS.gatewayVsNoauth, ratio(gw, g.noauthCheckToken.rps)),
      row(
        'check_token ÷ auth off, by server CPU',
        cpuFigure(g.noauthCheckToken, ['gateway-noauth', 'token'], g.gatewayCheckToken, ['gateway', 'token']),
        TARGETS.gatewayVsNoauth,
        cpuRatio(g.noauthCheckToken, ['gateway-noauth', 'token'], g.gatewayCheckToken, ['gateway', 'token']),
      ),
      row('check_token ÷ bare proxy → Fastify', '', TARGETS.gatewayVsBareProxy, ratio(gw, g.bareProxy.rps)),
      row(
        'check_token ÷ bare proxy, by server CPU',
        cpuFigure(g.bareProxy, ['bare-proxy', 'bare-fastify'], g.gatewayCheckToken, ['gateway', 'token']),
        TARGETS.gatewayVsBareProxy,
        cpuRatio(g.bareProxy, ['bare-proxy', 'bare-fastify'], g.gatewayCheckToken, ['gateway', 'token']),
      ),
      row(
        'check_token ÷ bare Fastify',
        `${fmt(overheadUs(gw, g.bareFastify.rps), 'µs')} more per request`,
        undefined,
        ratio(gw, g.bareFastify.rps),
      ),
      row(
        'validate/jwt/access ÷ bare Fastify',
        `${fmt(overheadUs(g.gatewayValidateAccess.rps, g.bareFastify.rps), 'µs')} more per request`,
        undefined,
        ratio(g.gatewayValidateAccess.rps, g.bareFastify.rps),
      ),
    );
  }
  if (r.refresh) {
    const { saturated, half, halfRate } = r.refresh;
    out.push(
      row(
        'refresh rotation (000), saturated',
        `${rpsText(saturated.rps)}, ${lat(saturated.latencyMs.p50, saturated.latencyMs.p99)}${failures(saturated)}`,
        TARGETS.refreshRps,
        saturated.rps,
      ),
      row(
        'refresh rotation, by server CPU',
        `${fmt(serverCpuUs(saturated, REFRESH_PATH), 'µs')} a refresh → ${fmt(
          (cores * 1e6) / serverCpuUs(saturated, REFRESH_PATH),
        )}/s on ${cores} cores`,
        TARGETS.refreshRps,
        (cores * 1e6) / serverCpuUs(saturated, REFRESH_PATH),
      ),
      row(
        `refresh rotation at ${halfRate}/s`,
        `${lat(half.latencyMs.p50, half.latencyMs.p99)}${failures(half)}`,
        TARGETS.refreshP99,
        half.latencyMs.p99,
      ),
    );
  }
  if (r.nats) {
    const { saturated, half, echo, rate } = r.nats;
    out.push(
      row(
        'introspection over NATS, saturated',
        `${rpsText(saturated.rps)}, ${lat(saturated.latencyMs.p50, saturated.latencyMs.p99)}`,
      ),
      row(
        `introspection over NATS at ${rate}/s`,
        lat(half.latencyMs.p50, half.latencyMs.p99),
        TARGETS.natsP99,
        half.latencyMs.p99,
      ),
      row(
        `  the token service's own answer time at ${rate}/s`,
        `p99 ≤ ${fmt(r.nats.serverP99Ms, 'ms')} (its histogram's bucket)`,
      ),
      row(`bare NATS request/reply at ${rate}/s`, lat(echo.latencyMs.p50, echo.latencyMs.p99)),
    );
  }
  if (r.revocation) {
    const rv = r.revocation;
    out.push(
      row(
        `revocation seen by both gateways (worst of ${rv.trials.length})`,
        `median ${fmt(rv.medianMs, 'ms')}, worst ${fmt(rv.maxMs, 'ms')}`,
        TARGETS.revocationMs,
        rv.maxMs,
      ),
    );
  }
  if (r.redis) {
    for (const [profile, v] of Object.entries(r.redis.profiles)) {
      out.push(
        row(
          `Redis per ${profile} session`,
          `${fmt(v.bytesPerSession, 'B')} in ${fmt(v.keysPerSession)} keys`,
          TARGETS.redisBytes,
          v.bytesPerSession,
        ),
      );
    }
  }
  if (r.redis) {
    const rot = r.redis.adminRotation;
    const fresh = r.redis.profiles['admin-telegram']?.bytesPerSession ?? 0;
    out.push(
      row(
        'Redis per admin-telegram refresh rotation',
        `${fmt(rot.bytesPerRotation, 'B')} (${fmt(rot.keptBytesPerRotation, 'B')} kept 7 days)`,
      ),
      row(
        'Redis per admin-telegram session, refreshed every 15 min for 7 days',
        `${fmt((fresh + rot.projectedWeekBytesPerSession) / 1024, 'KiB')} (projected)`,
        TARGETS.redisBytes,
        fresh + rot.projectedWeekBytesPerSession,
      ),
    );
  }
  if (r.rss) {
    for (const [name, f] of Object.entries(r.rss)) {
      out.push(
        row(
          `RSS ${name}`,
          `idle ${fmt(f.idleMiB, 'MiB')}, under load ${fmt(f.peakMiB, 'MiB')}; idle CPU ${fmt(f.idleCpuPct, '%')}`,
        ),
      );
    }
  }
  return out;
}

export function summaryLine(table: readonly Row[]): string {
  const judged = table.filter((r) => r.verdict === 'met' || r.verdict === 'missed');
  const missed = judged.filter((r) => r.verdict === 'missed');
  return `${judged.length - missed.length} of ${judged.length} targets met${
    missed.length ? `; missed: ${missed.map((r) => r.measure).join('; ')}` : ''
  }`;
}

/** Columns of the CPU table, in the order a request crosses them; other processes sum up in `other`. */
const CPU_COLUMNS = [
  'load',
  'gateway',
  'gateway-noauth',
  'bare-proxy',
  'bare-fastify',
  'identity',
  'token',
  'nats-echo',
];

interface CpuRun {
  answered: number;
  cpuMs: CpuSnapshot;
}

/** Each measured run with what its CPU time was spent on. */
function cpuRuns(r: Results): Array<[string, CpuRun]> {
  const runs: Array<[string, CpuRun | undefined]> = [
    ['drf login', r.login?.login],
    ['bare argon2 verify', r.login?.argon2],
    ...(Object.entries(HTTP_LABELS) as Array<[HttpTarget, string]>).map(
      ([k, label]): [string, CpuRun | undefined] => [label, r.gateway?.[k]],
    ),
    ['refresh rotation, saturated', r.refresh?.saturated],
    ['introspection over NATS, saturated', r.nats?.saturated],
    ['bare NATS request/reply', r.nats?.echo],
  ];
  return runs.filter((x): x is [string, CpuRun] => x[1] !== undefined);
}

/**
 * CPU time per request by process (every thread, user + system, from /proc): where the time of
 * a request goes, which no throughput figure on a shared machine says as plainly. `load` is the
 * load process (its start included); `other` every other process of the run (idle work).
 */
export function cpuTable(r: Results): {
  text: string;
  rows: Array<{ measure: string; us: Record<string, number> }>;
} {
  const rows = cpuRuns(r).map(([measure, run]) => {
    const per = cpuPerRequestUs(run.cpuMs, run.answered);
    const us: Record<string, number> = {};
    let other = 0;
    for (const [name, v] of Object.entries(per)) {
      if (CPU_COLUMNS.includes(name)) us[name] = v;
      else other += v;
    }
    us.other = other;
    us.total = Object.values(per).reduce((a, b) => a + b, 0);
    return { measure, us };
  });
  const header = ['CPU µs per request', ...CPU_COLUMNS, 'other', 'total'];
  const cells = rows.map(({ measure, us }) => [
    measure,
    ...header.slice(1).map((c) => (us[c] !== undefined && us[c] >= 0.5 ? fmt(us[c]) : '')),
  ]);
  return { text: formatGrid(header, cells), rows };
}
