#!/usr/bin/env node
// `npm start`: install, generate, migrate, start all six processes with prefixed logs,
// wait until each is ready, print the gateway URL; Ctrl-C (or SIGTERM) stops them all.
import { ensureInstalled, ensureGenerated, migrate } from './lib/bootstrap.mjs';
import { checkInfra, describeMissing } from './lib/infra.mjs';
import { startSuite, stopAll } from './lib/supervisor.mjs';

const say = (msg) => process.stdout.write(`[propusk] ${msg}\n`);
const width = 12;

async function main() {
  const env = { ...process.env };
  const missing = await checkInfra(env);
  if (missing.length > 0) {
    process.stderr.write(`[propusk] cannot start:\n${describeMissing(missing)}\n`);
    process.exit(1);
  }
  ensureInstalled(say);
  ensureGenerated(say);
  migrate(env, say);
  say('starting identity, verification, federation, token, notification and the gateway');
  let suite;
  let stopping = false;
  const onSignal = async (signal) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping every process`);
    const results = suite ? await stopAll(suite.handles) : [];
    const bad = results.filter((r) => r.code !== 0);
    for (const r of bad) say(`${r.name} exited with ${r.code ?? r.signal}`);
    process.exit(bad.length === 0 ? 0 : 1);
  };
  process.on('SIGINT', () => void onSignal('SIGINT'));
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
  suite = await startSuite({
    env,
    onLine: (name, line) => process.stdout.write(`${name.padEnd(width)}| ${line}\n`),
  });
  say(`ready: gateway at ${suite.gatewayUrl} (readiness: ${suite.gatewayUrl}/readyz)`);
  // A process that dies on its own takes the suite down: a half-running suite lies.
  for (const h of suite.handles) {
    h.exited.then((r) => {
      if (!stopping) {
        say(`${h.proc.name} exited unexpectedly (${r.code ?? r.signal}); stopping`);
        void onSignal('child exit');
      }
    });
  }
}

main().catch((err) => {
  process.stderr.write(`[propusk] start failed: ${err.message}\n`);
  process.exit(1);
});
