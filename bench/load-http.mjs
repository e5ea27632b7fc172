// The HTTP load process: forked by bench/run.ts, it takes one job over IPC, drives it with
// autocannon (loopback only, bounded by the job's duration) and answers the figures. Kept out of
// the measured processes so the load generator's CPU is its own (and the same for every target).
import autocannon from 'autocannon';

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/;

/** The refresh chain of document 000: each answer's refresh_token is the next request's. */
function refreshRequests(path, headers, tokens) {
  const pool = [...tokens];
  const stats = { lost: 0 };
  const request = {
    method: 'POST',
    path,
    headers: { ...headers, 'content-type': 'application/json' },
    setupRequest(req) {
      // A token is taken per request and its heir returned by the answer: at most one per
      // connection is in flight, so the pool (seeded with spares) never runs dry unless
      // answers fail, which the job reports (non-2xx, lost).
      const token = pool.pop() ?? 'pool-exhausted';
      return { ...req, body: JSON.stringify({ refresh_token: token }) };
    },
    onResponse(status, body) {
      if (status !== 200) {
        stats.lost++;
        return;
      }
      try {
        pool.push(JSON.parse(body).refresh_token);
      } catch {
        stats.lost++;
      }
    },
  };
  return { requests: [request], stats, pool };
}

function figures(result, extra = {}) {
  const ok = result['2xx'];
  const l = result.latency;
  return {
    durationS: result.duration,
    ok,
    rps: ok / result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]),
    ),
    latencyMs: { mean: l.mean, p50: l.p50, p90: l.p90, p99: l.p99, max: l.max },
    ...extra,
  };
}

async function run(job) {
  if (!LOOPBACK.test(job.url)) throw new Error(`refusing to load a non-loopback target: ${job.url}`);
  const refresh = job.refreshTokens ? refreshRequests(job.path, job.headers ?? {}, job.refreshTokens) : null;
  const options = (duration) => ({
    url: job.url,
    connections: job.connections,
    duration,
    ...(job.rate ? { overallRate: job.rate } : {}),
    // Paths go in `requests`: autocannon's top-level options take the target from `url` alone.
    requests: refresh
      ? refresh.requests
      : [
          {
            method: job.method ?? 'GET',
            path: job.path,
            headers: job.headers ?? {},
            ...(job.body !== undefined ? { body: job.body } : {}),
          },
        ],
    timeout: 10,
  });
  const warm = job.warmupS > 0 ? await autocannon(options(job.warmupS)) : undefined;
  const result = await autocannon(options(job.durationS));
  const cpu = process.cpuUsage();
  return figures(result, {
    // Every answer since the start, warm-up included: what the CPU times of the run were spent on.
    answered: result['2xx'] + result.non2xx + (warm ? warm['2xx'] + warm.non2xx : 0),
    loadCpuMs: (cpu.user + cpu.system) / 1000,
    ...(refresh ? { lostTokens: refresh.stats.lost, poolLeft: refresh.pool.length } : {}),
  });
}

process.once('message', (job) => {
  run(job).then(
    (res) => process.send({ ok: true, result: res }, () => process.exit(0)),
    (err) => process.send({ ok: false, error: String(err?.stack ?? err) }, () => process.exit(1)),
  );
});
