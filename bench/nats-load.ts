// The NATS load process: forked by bench/run.ts, it takes one job over IPC and answers latencies.
// - `introspect-max`: the typed introspection client (packages/introspection-client), `concurrency`
//   calls in flight, as fast as the token service answers: the saturated rate;
// - `introspect-rate` / `echo-rate`: an open loop at a fixed `rate` per second (sent on a 1 ms
//   timer, so the load process itself stays idle between sends): introspection, or the bare hop to
//   bench/nats-echo.ts. Latency runs from each call's send to its answer.
import { performance } from 'node:perf_hooks';
import { createIntrospectionClient } from '../packages/introspection-client/src/index.js';
import { connectBenchNats, echoSubject } from './lib/nats.js';
import { summarize } from './lib/stats.js';

interface Job {
  mode: 'introspect-max' | 'introspect-rate' | 'echo-rate';
  natsUrl: string;
  namespace: string;
  token: string;
  durationS: number;
  warmupS: number;
  concurrency?: number;
  rate?: number;
}

type Call = () => Promise<boolean>;

async function closedLoop(call: Call, concurrency: number, durationMs: number) {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const ok = await call().catch(() => false);
        if (ok) latencies.push(performance.now() - t0);
        else failed++;
      }
    }),
  );
  return { latencies, failed, elapsedS: (performance.now() - started) / 1000 };
}

async function openLoop(call: Call, rate: number, durationMs: number) {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let failed = 0;
  let sent = 0;
  let maxBehind = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      const due = Math.min(Math.floor((elapsed * rate) / 1000), Math.floor((durationMs * rate) / 1000));
      maxBehind = Math.max(maxBehind, due - sent);
      while (sent < due) {
        sent++;
        const t0 = performance.now();
        pending.push(
          call().then(
            (ok) => {
              if (ok) latencies.push(performance.now() - t0);
              else failed++;
            },
            () => void failed++,
          ),
        );
      }
      if (elapsed >= durationMs) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(pending);
  return { latencies, failed, elapsedS: (performance.now() - started) / 1000, sent, maxBehind };
}

async function run(job: Job) {
  const nats = await connectBenchNats(job.natsUrl, 'bench-load');
  try {
    let call: Call;
    if (job.mode === 'echo-rate') {
      const subject = echoSubject(job.namespace);
      const body = new TextEncoder().encode(JSON.stringify({ token: job.token }));
      call = async () => (await nats.nc.request(subject, body, { timeout: 5000 })).data.length > 0;
    } else {
      const client = createIntrospectionClient({ nats: nats.nc, namespace: job.namespace });
      call = async () => (await client.introspect(job.token)).active;
    }
    const drive = (ms: number) =>
      job.mode === 'introspect-max'
        ? closedLoop(call, job.concurrency ?? 16, ms)
        : openLoop(call, job.rate ?? 100, ms);
    const warm = job.warmupS > 0 ? await drive(job.warmupS * 1000) : undefined;
    const r = await drive(job.durationS * 1000);
    const cpu = process.cpuUsage();
    return {
      answered: r.latencies.length + r.failed + (warm ? warm.latencies.length + warm.failed : 0),
      loadCpuMs: (cpu.user + cpu.system) / 1000,
      mode: job.mode,
      ...(job.rate ? { rate: job.rate } : { concurrency: job.concurrency }),
      durationS: r.elapsedS,
      ok: r.latencies.length,
      failed: r.failed,
      rps: r.latencies.length / r.elapsedS,
      latencyMs: summarize(r.latencies),
      ...('maxBehind' in r ? { maxSendsBehind: r.maxBehind } : {}),
    };
  } finally {
    await nats.drain();
  }
}

process.once('message', (job: Job) => {
  run(job).then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (err: unknown) =>
      process.send?.({ ok: false, error: String((err as Error)?.stack ?? err) }, () => process.exit(1)),
  );
});
