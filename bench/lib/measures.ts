import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { tokenOps } from '../../packages/contracts/src/index.js';
import {
  connectRedis,
  createLogger,
  redisKeyPrefix,
  SIGNATURE_MAX_AGE_MS,
  signedHeaders,
} from '../../packages/kit/src/index.js';
import { identityHeaders } from '../../gateway/src/auth/identity.js';
import { BENCH_USER, drfLogin, type Bench } from './setup.js';
import { cpuDelta, cpuSnapshot, runJob, type CpuSnapshot } from './procs.js';
import { halfLoadRate, keyClass, median, type Summary } from './stats.js';

/** What bench/load-http.mjs answers for one job. */
export interface HttpFigures {
  durationS: number;
  ok: number;
  rps: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  lostTokens?: number;
  poolLeft?: number;
  /** Answers since the job started, warm-up included, and the CPU ms each process used meanwhile. */
  answered: number;
  cpuMs: CpuSnapshot;
}

/** What bench/nats-load.ts and bench/argon2.ts answer. */
export interface LoopFigures {
  durationS: number;
  ok: number;
  failed: number;
  rps: number;
  latencyMs: Summary;
  rate?: number;
  maxSendsBehind?: number;
  answered: number;
  cpuMs: CpuSnapshot;
}

export interface Settings {
  /** Seconds each measure is driven (a rounds-split measure shares it among its rounds). */
  durationS: number;
  warmupS: number;
  httpConnections: number;
  loginConnections: number;
  refreshConnections: number;
  natsConcurrency: number;
  rounds: number;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
/** Every job is bounded: its own duration plus this much for start, warm-up and answer. */
const JOB_SLACK_MS = 30_000;

/**
 * Runs a load job and reads the CPU time every watched process used meanwhile (the load process
 * reports its own as `loadCpuMs`, counted under `load`).
 */
async function measured<R extends { loadCpuMs: number }>(
  b: Bench,
  run: () => Promise<R>,
): Promise<Omit<R, 'loadCpuMs'> & { cpuMs: CpuSnapshot }> {
  const before = cpuSnapshot(b.processes());
  const { loadCpuMs, ...r } = await run();
  return { ...r, cpuMs: { ...cpuDelta(before, cpuSnapshot(b.processes())), load: loadCpuMs } };
}

type Reported<F> = Omit<F, 'cpuMs'> & { loadCpuMs: number };

function httpJob(b: Bench, job: Record<string, unknown>, s: Pick<Settings, 'warmupS'>, durationS: number) {
  return measured(b, () =>
    runJob<Reported<HttpFigures>>(
      'bench/load-http.mjs',
      { warmupS: s.warmupS, ...job, durationS },
      (durationS + s.warmupS) * 1000 + JOB_SLACK_MS,
    ),
  );
}

function loopJob<X = object>(b: Bench, file: string, job: Record<string, unknown>, boundMs: number) {
  return measured(b, () => runJob<Reported<LoopFigures> & X>(file, job, boundMs));
}

// 1. Password login against bare argon2 -------------------------------------------------------

export async function measureLogin(b: Bench, s: Settings) {
  const login = await httpJob(
    b,
    {
      url: b.gateway.url,
      method: 'POST',
      path: '/api/v1/login/',
      headers: JSON_HEADERS,
      body: JSON.stringify(BENCH_USER),
      connections: s.loginConnections,
    },
    s,
    s.durationS,
  );
  const argon2 = await loopJob<{ params: unknown; threadPool: number }>(
    b,
    'bench/argon2.ts',
    {
      concurrency: s.loginConnections,
      durationS: s.durationS,
      warmupS: s.warmupS,
      password: BENCH_USER.password,
    },
    (s.durationS + s.warmupS) * 1000 + JOB_SLACK_MS,
  );
  return { login, argon2 };
}

// 2. An authenticated request through the gateway against the bare limits ----------------------

export type HttpTarget =
  | 'gatewayCheckToken'
  | 'noauthCheckToken'
  | 'tokenServiceCheckToken'
  | 'gatewayValidateAccess'
  | 'bareProxy'
  | 'bareFastify';

/** The targets, all answering 200 with check_token's body (validate answers `true`). */
export function httpTargets(b: Bench): Record<HttpTarget, Record<string, unknown>> {
  const body = JSON.stringify({ username: BENCH_USER.username });
  const check = (url: string, headers: Record<string, string>) => ({
    url,
    method: 'POST',
    path: '/api/v1/check_token/',
    headers: { ...JSON_HEADERS, ...headers },
    body,
  });
  const bearer = { authorization: `Bearer ${b.drf.token}` };
  return {
    gatewayCheckToken: check(b.gateway.url, bearer),
    noauthCheckToken: check(b.noauth.url, bearer),
    // What the token service does alone, with the identity headers the gateway would set and
    // its signature, made now: good for one job of at most SIGNATURE_MAX_AGE_MS.
    tokenServiceCheckToken: check(
      b.tokenService,
      signedHeaders(
        b.env.INTERNAL_SECRET ?? '',
        'POST',
        '/api/v1/check_token/',
        identityHeaders(b.drf.identity, b.drf.token),
      ),
    ),
    gatewayValidateAccess: {
      url: b.gateway.url,
      method: 'GET',
      path: `/validate/jwt/access?${new URLSearchParams({ access: b.authorizationAccess })}`,
    },
    bareProxy: check(b.bareProxy.url, bearer),
    bareFastify: check(b.bareOrigin.url, bearer),
  };
}

export interface Merged {
  answered: number;
  cpuMs: CpuSnapshot;
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  rounds: HttpFigures[];
}

/** Rounds of one target: throughput over the whole time, latency percentiles as the rounds' medians. */
export function mergeRounds(rounds: readonly HttpFigures[]): Merged {
  const ok = rounds.reduce((a, r) => a + r.ok, 0);
  const time = rounds.reduce((a, r) => a + r.durationS, 0);
  const cpuMs: CpuSnapshot = {};
  for (const r of rounds) for (const [k, v] of Object.entries(r.cpuMs)) cpuMs[k] = (cpuMs[k] ?? 0) + v;
  return {
    answered: rounds.reduce((a, r) => a + r.answered, 0),
    cpuMs,
    rps: time > 0 ? ok / time : NaN,
    ok,
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    p50Ms: median(rounds.map((r) => r.latencyMs.p50)),
    p99Ms: median(rounds.map((r) => r.latencyMs.p99)),
    rounds: [...rounds],
  };
}

/** A process's /metrics: every process of the suite answers only its METRICS_TOKEN. */
async function metricsText(b: Pick<Bench, 'env'>, url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${b.env.METRICS_TOKEN ?? ''}` },
    signal: AbortSignal.timeout(10_000),
  });
  return res.text();
}

/**
 * The sum of a Prometheus counter (or a histogram's `_count`) on a process's /metrics, over the
 * series whose labels contain every `labels` pair.
 */
export async function scrape(
  b: Pick<Bench, 'env'>,
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await metricsText(b, url);
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

/** What the real gateway did for its checks: introspections over NATS per verified token check. */
async function gatewayCounters(b: Bench) {
  const url = b.gateway.url;
  const [checks, introspections] = await Promise.all([
    scrape(b, url, 'propusk_gateway_token_checks_total', { profile: 'drf' }),
    scrape(b, url, 'propusk_rpc_client_duration_seconds_count', { op: 'token.introspect' }),
  ]);
  return { checks, introspections };
}

/** One request to a target before loading it: a measure of 401s or 404s would be meaningless. */
async function preflight(name: string, t: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${String(t.url)}${String(t.path)}`, {
    method: String(t.method),
    headers: t.headers as Record<string, string> | undefined,
    body: t.body as string | undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200 || text === 'false') throw new Error(`${name} answered ${res.status}: ${text}`);
}

/**
 * The six targets interleaved round by round (A B C … C B A …), so a neighbour's burst on the
 * shared machine lands on all of them alike rather than on one.
 */
export async function measureGateway(b: Bench, s: Settings) {
  const names = Object.keys(httpTargets(b)) as HttpTarget[];
  const per = Math.max(1, Math.round(s.durationS / s.rounds));
  if (Math.max(per, s.warmupS) * 1000 >= SIGNATURE_MAX_AGE_MS) {
    throw new Error(`a round of the gateway measure must be shorter than ${SIGNATURE_MAX_AGE_MS / 1000} s`);
  }
  // Made afresh for each job: the token service's direct target carries a signature of now.
  const targets = () => httpTargets(b);
  for (const name of names) await preflight(name, targets()[name]);
  const before = await gatewayCounters(b);
  const rounds = new Map<HttpTarget, HttpFigures[]>(names.map((n) => [n, []]));
  // Every target warmed first (JIT, pools), so no round carries another target's warm-up CPU.
  for (const name of names) {
    await httpJob(b, { ...targets()[name], connections: s.httpConnections, warmupS: 0 }, s, s.warmupS);
  }
  for (let round = 0; round < s.rounds; round++) {
    // Odd rounds run backwards: no target always follows the same one (whose tail of work, GC
    // included, would land on it).
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const r = await httpJob(b, { ...targets()[name], connections: s.httpConnections, warmupS: 0 }, s, per);
      rounds.get(name)?.push(r);
    }
  }
  const after = await gatewayCounters(b);
  const targetsMerged = Object.fromEntries(names.map((n) => [n, mergeRounds(rounds.get(n) ?? [])])) as Record<
    HttpTarget,
    Merged
  >;
  const checks = after.checks - before.checks;
  return {
    ...targetsMerged,
    diagnostics: {
      tokenChecks: checks,
      introspections: after.introspections - before.introspections,
      introspectionsPer1000Checks:
        checks > 0 ? ((after.introspections - before.introspections) / checks) * 1000 : NaN,
    },
  };
}

// 3. Refresh rotation (document 000) ------------------------------------------------------------

async function adminPairs(b: Bench, n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const pair = await b.rpc.call(tokenOps.issueAdminTelegram, {
      accountId: b.drf.identity.subject,
      username: BENCH_USER.username,
      roles: [],
      chatId: 3_546_223,
    });
    tokens.push(pair.refresh_token);
  }
  return tokens;
}

export async function measureRefresh(b: Bench, s: Settings) {
  const job = (refreshTokens: string[], rate?: number) =>
    httpJob(
      b,
      {
        url: b.gateway.url,
        path: '/api/v1/admin/auth',
        refreshTokens,
        connections: s.refreshConnections,
        ...(rate ? { rate } : {}),
      },
      s,
      s.durationS,
    );
  // Each connection carries one family's chain; spares cover answers that fail.
  const saturated = await job(await adminPairs(b, s.refreshConnections * 3));
  const rate = halfLoadRate(saturated.rps);
  const half = await job(await adminPairs(b, s.refreshConnections * 3), rate);
  return { saturated, half, halfRate: rate };
}

// 4. Introspection over NATS, the bare hop, revocation propagation ------------------------------

export async function measureNats(b: Bench, s: Settings) {
  const base = {
    natsUrl: b.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    namespace: b.env.PROPUSK_NAMESPACE ?? '',
    token: b.drf.token,
    warmupS: s.warmupS,
  };
  const bound = (d: number) => (d + s.warmupS) * 1000 + JOB_SLACK_MS;
  const maxS = Math.max(2, Math.round(s.durationS / 2));
  const saturated = await loopJob(
    b,
    'bench/nats-load.ts',
    { ...base, mode: 'introspect-max', concurrency: s.natsConcurrency, durationS: maxS },
    bound(maxS),
  );
  const rate = Math.max(1, Math.floor(saturated.rps / 2));
  const before = await serverHistogram(b, 'token.introspect');
  const half = await loopJob(
    b,
    'bench/nats-load.ts',
    { ...base, mode: 'introspect-rate', rate, durationS: s.durationS },
    bound(s.durationS),
  );
  const after = await serverHistogram(b, 'token.introspect');
  const echo = await loopJob(
    b,
    'bench/nats-load.ts',
    { ...base, mode: 'echo-rate', rate, durationS: s.durationS },
    bound(s.durationS),
  );
  return { saturated, half, echo, rate, serverP99Ms: bucketPercentile(before, after, 99) };
}

/** The token service's own histogram of answer times for one operation: cumulative count per bucket (le, s). */
async function serverHistogram(b: Bench, op: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const line of (await metricsText(b, b.tokenService)).split('\n')) {
    if (!line.startsWith('propusk_rpc_server_duration_seconds_bucket{') || !line.includes(`op="${op}"`))
      continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (!le) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/**
 * The upper bound (ms) of the histogram bucket holding the p-th percentile of what was observed
 * between two scrapes: "the service answered 99% within X ms", at the buckets' resolution.
 */
function bucketPercentile(before: Map<number, number>, after: Map<number, number>, p: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return NaN;
  for (const le of bounds) {
    if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= (p / 100) * total) return le * 1000;
  }
  return Infinity;
}

async function status(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/check_token/`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify({ username: BENCH_USER.username }),
    signal: AbortSignal.timeout(5000),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Polls until `url` refuses the token; answers the milliseconds since `t0`. */
async function refusedAfter(url: string, token: string, t0: number, timeoutMs: number): Promise<number> {
  while (performance.now() - t0 < timeoutMs) {
    if ((await status(url, token)) === 401) return performance.now() - t0;
  }
  return NaN;
}

/**
 * A user logs out through gateway 1 (document 004's logout); gateway 2 holds the same token's
 * verification in its cache and must learn of the revocation from the `auth.session.revoked`
 * event. Both are polled back to back from the moment the logout is sent until they refuse it.
 */
export async function measureRevocation(b: Bench, trials = 5, timeoutMs = 5000) {
  const results: Array<{ gatewayMs: number; gateway2Ms: number }> = [];
  for (let i = 0; i < trials; i++) {
    const token = await drfLogin(b.gateway.url);
    for (const g of [b.gateway, b.gateway2]) {
      const st = await status(g.url, token);
      if (st !== 200) throw new Error(`revocation trial: ${g.name} answered ${st} before the logout`);
    }
    const t0 = performance.now();
    const logout = fetch(`${b.gateway.url}/api/v1/logout/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    }).then((r) => r.arrayBuffer());
    await logout;
    const [gatewayMs, gateway2Ms] = await Promise.all([
      refusedAfter(b.gateway.url, token, t0, timeoutMs),
      refusedAfter(b.gateway2.url, token, t0, timeoutMs),
    ]);
    results.push({ gatewayMs, gateway2Ms });
  }
  const worst = results.map((r) => Math.max(r.gatewayMs, r.gateway2Ms));
  return { trials: results, maxMs: Math.max(...worst), medianMs: median(worst) };
}

// 5. Redis memory per session --------------------------------------------------------------------

const silentLog = createLogger({
  service: 'bench',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

/**
 * Bytes held by every key of the suite's namespace (MEMORY USAGE … SAMPLES 0: exact), in all and
 * by kind of key.
 */
async function namespaceBytes(redis: ReturnType<typeof connectRedis>, prefix: string) {
  let cursor = '0';
  let bytes = 0;
  let keys = 0;
  const byClass: Record<string, number> = {};
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipe = redis.pipeline();
    for (const k of batch) pipe.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    const answers = (await pipe.exec()) ?? [];
    answers.forEach(([err, v], i) => {
      if (err || typeof v !== 'number') return;
      bytes += v;
      keys++;
      const c = keyClass(batch[i] as string, prefix);
      byClass[c] = (byClass[c] ?? 0) + v;
    });
  } while (cursor !== '0');
  return { bytes, keys, byClass };
}

/** Growth per unit between two readings, by kind of key (kinds that did not grow are left out). */
function growthByClass(before: Record<string, number>, after: Record<string, number>, units: number) {
  const out: Record<string, number> = {};
  for (const [c, v] of Object.entries(after)) {
    const d = (v - (before[c] ?? 0)) / units;
    if (Math.abs(d) >= 1) out[c] = Math.round(d);
  }
  return out;
}

/** Document 000: access lives 15 minutes, refresh 7 days; an active client refreshes this often. */
const ADMIN_ROTATIONS_PER_WEEK = (7 * 24 * 60) / 15;

/**
 * What each admin-telegram refresh rotation leaves behind: `sessions` families rotated `rotations`
 * times each (over NATS, as identity asks), the namespace's growth divided by the rotations, and
 * the projection for one session refreshed every 15 minutes for the refresh token's 7 days (the
 * used refresh records live until their own expiry).
 */
async function rotationGrowth(b: Bench, redis: ReturnType<typeof connectRedis>, prefix: string) {
  const sessions = 100;
  const rotations = 5;
  let chains = await Promise.all(
    Array.from({ length: sessions }, async (_, i) => {
      const pair = await b.rpc.call(tokenOps.issueAdminTelegram, {
        accountId: randomUUID(),
        username: `rot${i}`,
        roles: [],
        chatId: 200_000 + i,
      });
      return pair.refresh_token;
    }),
  );
  const before = await namespaceBytes(redis, prefix);
  for (let r = 0; r < rotations; r++) {
    chains = await Promise.all(
      chains.map(
        async (refresh_token) =>
          (await b.rpc.call(tokenOps.refreshAdminTelegram, { refresh_token })).refresh_token,
      ),
    );
  }
  const after = await namespaceBytes(redis, prefix);
  const units = sessions * rotations;
  const byClass = growthByClass(before.byClass, after.byClass, units);
  // Only the used refresh records (and their pointers to the family) outlive the week's
  // rotations; revocation records of the replaced access tokens expire with them (15 minutes).
  const kept = (byClass['admin:refresh:*:*'] ?? 0) + (byClass['admin:refresh-family:*'] ?? 0);
  return {
    sessions,
    rotations,
    bytesPerRotation: (after.bytes - before.bytes) / units,
    keysPerRotation: (after.keys - before.keys) / units,
    byClass,
    keptBytesPerRotation: kept,
    projectedWeekBytesPerSession: kept * ADMIN_ROTATIONS_PER_WEEK,
  };
}

/**
 * N sessions of each profile that keeps state in Redis, each for its own account (as real
 * sessions mostly are), issued as identity issues them after a password check; the growth of the
 * namespace's keys (MEMORY USAGE, exact) divided by N. Redis's INFO used_memory is shared with
 * whatever else uses this server, so it is not the figure.
 */
export async function measureRedis(b: Bench, n = 500) {
  const prefix = redisKeyPrefix(b.env.PROPUSK_NAMESPACE ?? '');
  const redis = connectRedis(b.env.REDIS_URL ?? 'redis://127.0.0.1:6379', '', silentLog);
  try {
    await new Promise<void>((resolve, reject) => {
      if (redis.status === 'ready') resolve();
      redis.once('ready', () => resolve());
      redis.once('error', reject);
    });
    const issue: Record<string, (i: number) => Promise<unknown>> = {
      drf: (i) => b.rpc.call(tokenOps.issueDrf, { accountId: randomUUID(), username: `mem${i}`, roles: [] }),
      'admin-telegram': (i) =>
        b.rpc.call(tokenOps.issueAdminTelegram, {
          accountId: randomUUID(),
          username: `mem${i}`,
          roles: [],
          chatId: 100_000 + i,
        }),
      authorization: (i) =>
        b.rpc.call(tokenOps.issueAuthorization, {
          accountId: randomUUID(),
          userName: `mem${i}@x.test`,
          roles: [],
        }),
      v2: (i) => b.rpc.call(tokenOps.issueV2, { accountId: randomUUID(), username: `mem${i}`, roles: [] }),
    };
    const out: Record<
      string,
      { bytesPerSession: number; keysPerSession: number; byClass: Record<string, number> }
    > = {};
    for (const [profile, one] of Object.entries(issue)) {
      const before = await namespaceBytes(redis, prefix);
      for (let i = 0; i < n; i += 25) {
        await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, j) => one(i + j)));
      }
      const after = await namespaceBytes(redis, prefix);
      out[profile] = {
        bytesPerSession: (after.bytes - before.bytes) / n,
        keysPerSession: (after.keys - before.keys) / n,
        byClass: growthByClass(before.byClass, after.byClass, n),
      };
    }
    return { sessionsPerProfile: n, profiles: out, adminRotation: await rotationGrowth(b, redis, prefix) };
  } finally {
    redis.disconnect();
  }
}
