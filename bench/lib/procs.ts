import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** Every process the bench started, so that any exit path (failure, Ctrl-C) stops them all. */
const started = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** SIGTERM to every process the bench started and still running; SIGKILL after `graceMs`. */
export async function stopTracked(graceMs = 10_000): Promise<void> {
  const alive = [...started].filter((c) => c.exitCode === null && c.signalCode === null);
  const exits = alive.map((c) => new Promise<void>((r) => c.once('exit', () => r())));
  for (const c of alive) c.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const c of alive) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }, graceMs);
  await Promise.all(exits);
  clearTimeout(timer);
}

export interface Server {
  name: string;
  child: ChildProcess;
  url: string;
  /** The last lines it printed (for an error report). */
  tail: string[];
}

/** `node [execArgv] --import tsx <file> ...args` run in `dir` (default: the root), its output kept in a short tail. */
export function spawnTs(
  name: string,
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  url: string,
  { execArgv = [], dir = ROOT }: { execArgv?: string[]; dir?: string } = {},
): Server {
  const child = track(
    spawn(process.execPath, [...execArgv, '--import', 'tsx', resolve(dir, file), ...args], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
    });
  }
  return { name, child, url, tail };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `<url>/readyz` until 200; fails with the process's last lines when it exits or times out. */
export async function waitReady(server: Server, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`${server.name} exited during start:\n  ${server.tail.join('\n  ')}`);
    }
    try {
      const res = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  throw new Error(`${server.name} was not ready in ${timeoutMs} ms:\n  ${server.tail.join('\n  ')}`);
}

/**
 * Forks a load process (`file`, through tsx when TypeScript), hands it one job, answers its
 * result; kills it when it runs past `timeoutMs` (every job is bounded in time).
 */
export function runJob<R>(file: string, job: unknown, timeoutMs: number): Promise<R> {
  const child = track(
    fork(join(ROOT, file), [], {
      cwd: ROOT,
      execArgv: file.endsWith('.ts') ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  return new Promise<R>((resolve, reject) => {
    let answered = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('message', (msg: { ok: boolean; result?: R; error?: string }) => {
      answered = true;
      clearTimeout(timer);
      if (msg.ok) resolve(msg.result as R);
      else reject(new Error(`${file}: ${msg.error}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!answered) reject(new Error(`${file} exited (${code ?? signal}) without an answer`));
    });
    child.send(job as object);
  });
}

/** Resident set size of a process in MiB (Linux /proc), NaN when it is gone. */
export function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface RssFigures {
  idleMiB: number;
  peakMiB: number;
  /** CPU used while nothing loads the suite, in % of one core. */
  idleCpuPct: number;
}

/**
 * RSS of named processes: `idle()` takes one reading of each; `during(fn)` samples every 200 ms
 * while `fn` runs and keeps each process's peak.
 */
export function createRssSampler(procs: () => ReadonlyArray<{ name: string; pid: number | undefined }>) {
  const figures = new Map<string, RssFigures>();
  const entry = (name: string) => {
    let f = figures.get(name);
    if (!f) {
      f = { idleMiB: NaN, peakMiB: NaN, idleCpuPct: NaN };
      figures.set(name, f);
    }
    return f;
  };
  const sample = () => {
    for (const p of procs()) {
      const v = rssMiB(p.pid);
      const f = entry(p.name);
      if (Number.isFinite(v) && !(f.peakMiB >= v)) f.peakMiB = v;
    }
  };
  return {
    /** RSS at rest, and CPU used over `windowMs` of rest. */
    async idle(windowMs = 3000) {
      const list = procs();
      const before = cpuSnapshot(list);
      await new Promise((r) => setTimeout(r, windowMs));
      const used = cpuSnapshot(list);
      for (const p of list) {
        const f = entry(p.name);
        f.idleMiB = rssMiB(p.pid);
        f.idleCpuPct = (((used[p.name] ?? NaN) - (before[p.name] ?? NaN)) / windowMs) * 100;
      }
    },
    async during<T>(fn: () => Promise<T>): Promise<T> {
      const timer = setInterval(sample, 200);
      try {
        return await fn();
      } finally {
        clearInterval(timer);
        sample();
      }
    },
    figures: () => Object.fromEntries(figures),
  };
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 per second). */
const TICKS_PER_S = 100;

/** CPU time (user + system, every thread) a process has used, in ms (Linux /proc); NaN when gone. */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}

export type CpuSnapshot = Record<string, number>;

export function cpuSnapshot(procs: ReadonlyArray<{ name: string; pid: number | undefined }>): CpuSnapshot {
  return Object.fromEntries(procs.map((p) => [p.name, cpuMs(p.pid)]));
}

/** CPU ms each process used between two snapshots (processes that used none are left out). */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const out: CpuSnapshot = {};
  for (const [name, ms] of Object.entries(after)) {
    const d = ms - (before[name] ?? NaN);
    if (d > 0) out[name] = d;
  }
  return out;
}
