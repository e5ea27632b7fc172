// The bare limit of a password login: argon2id verifications with identity's own hasher (the same
// library, parameters and libuv thread pool size as the identity process), `concurrency` at a
// time for `durationS`, in a process of its own. Forked by bench/run.ts; answers over IPC.
import { performance } from 'node:perf_hooks';
import { ARGON2_PARAMS, createPasswordHasher } from '@propusk/identity/domain';
import { summarize } from './lib/stats.js';

interface Job {
  concurrency: number;
  durationS: number;
  warmupS: number;
  password: string;
}

async function drive(verify: () => Promise<boolean>, concurrency: number, durationMs: number) {
  const latencies: number[] = [];
  const started = performance.now();
  const end = started + durationMs;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        if (!(await verify())) failed++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  return { ok: latencies.length - failed, failed, elapsedS, latencies };
}

async function run(job: Job) {
  const hasher = await createPasswordHasher();
  const hash = await hasher.hash(job.password);
  const verify = () => hasher.verify(hash, job.password);
  const warm = job.warmupS > 0 ? await drive(verify, job.concurrency, job.warmupS * 1000) : undefined;
  const r = await drive(verify, job.concurrency, job.durationS * 1000);
  const cpu = process.cpuUsage();
  return {
    answered: r.latencies.length + (warm?.latencies.length ?? 0),
    // Every thread of this process: the libuv pool's hashing is most of it.
    loadCpuMs: (cpu.user + cpu.system) / 1000,
    params: { ...ARGON2_PARAMS, type: 'argon2id' },
    threadPool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    concurrency: job.concurrency,
    durationS: r.elapsedS,
    ok: r.ok,
    failed: r.failed,
    rps: r.ok / r.elapsedS,
    latencyMs: summarize(r.latencies),
  };
}

process.once('message', (job: Job) => {
  run(job).then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (err: unknown) =>
      process.send?.({ ok: false, error: String((err as Error)?.stack ?? err) }, () => process.exit(1)),
  );
});
