// Starts the six processes of the suite (compiled: build.mjs), prefixes their logs, waits until each one's
// /readyz answers 200, and stops them all with SIGTERM. Used by `npm start` and by the
// end-to-end test helper, so tests boot the suite exactly as users do.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ROOT } from './bootstrap.mjs';

export const PROCESSES = Object.freeze([
  { name: 'identity', dir: 'services/identity', portVar: 'IDENTITY_PORT', defaultPort: 8081 },
  { name: 'verification', dir: 'services/verification', portVar: 'VERIFICATION_PORT', defaultPort: 8082 },
  { name: 'federation', dir: 'services/federation', portVar: 'FEDERATION_PORT', defaultPort: 8083 },
  { name: 'token', dir: 'services/token', portVar: 'TOKEN_PORT', defaultPort: 8084 },
  { name: 'notification', dir: 'services/notification', portVar: 'NOTIFICATION_PORT', defaultPort: 8085 },
  { name: 'gateway', dir: 'gateway', portVar: 'GATEWAY_PORT', defaultPort: 8080 },
]);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function portOf(proc, env) {
  return Number(env[proc.portVar] || proc.defaultPort);
}

/**
 * Spawns one process of the suite from its compiled bundle, `node dist/main.mjs` in its folder
 * (build.mjs; call buildAll() first). Source maps point stack traces at the TypeScript.
 */
export function spawnProcess(proc, env, onLine) {
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.mjs'], {
    cwd: join(ROOT, proc.dir),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      onLine(proc.name, line);
    });
  }
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { proc, child, tail, exited };
}

/** Resolves once `url` (a /readyz) answers 200; rejects when the process exits or the deadline passes. */
export async function waitReady(handle, url, deadline) {
  let exitedEarly = null;
  handle.exited.then((r) => (exitedEarly = r));
  while (Date.now() < deadline) {
    if (exitedEarly) {
      throw new Error(
        `${handle.proc.name} exited during start (code ${exitedEarly.code ?? exitedEarly.signal}):\n  ${handle.tail.slice(-8).join('\n  ')}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  throw new Error(
    `${handle.proc.name} was not ready within the start timeout; last lines:\n  ${handle.tail.slice(-8).join('\n  ')}`,
  );
}

/**
 * Starts every process, waits for readiness (services first, then the gateway whose
 * readiness includes every service) and answers handles plus `stop()`.
 */
export async function startSuite({ env, onLine = () => {}, readyTimeoutMs = 60_000, only, onSpawn } = {}) {
  const fullEnv = { ...process.env, ...env };
  const chosen = only ? PROCESSES.filter((p) => only.includes(p.name)) : PROCESSES;
  const handles = chosen.map((p) => spawnProcess(p, fullEnv, onLine));
  // The caller may have to stop them before they are ready (a signal during start).
  for (const h of handles) onSpawn?.(h);
  const deadline = Date.now() + readyTimeoutMs;
  const stop = () => stopAll(handles);
  try {
    await Promise.all(
      handles.map((h) => waitReady(h, `http://127.0.0.1:${portOf(h.proc, fullEnv)}/readyz`, deadline)),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const gw = handles.find((h) => h.proc.name === 'gateway');
  return {
    handles,
    gatewayUrl: gw ? `http://127.0.0.1:${portOf(gw.proc, fullEnv)}` : undefined,
    stop,
  };
}

/** SIGTERM to all, wait; SIGKILL whatever is left after 12 s. Answers each exit. */
export async function stopAll(handles, graceMs = 12_000) {
  for (const h of handles)
    if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const h of handles) if (h.child.exitCode === null) h.child.kill('SIGKILL');
  }, graceMs);
  const results = await Promise.all(handles.map(async (h) => ({ name: h.proc.name, ...(await h.exited) })));
  clearTimeout(timer);
  return results;
}
