#!/usr/bin/env node
// `npm start`: install, generate, compile (when sources changed), migrate, start all six processes with prefixed logs,
// wait until each is ready, print the gateway URL. SIGINT (Ctrl-C) or SIGTERM (systemd, a
// container runtime, `kill`) stops them all and exits 0; so does the death of whatever started
// us. package.json runs this with `exec`, so npm's signals reach this process itself rather than
// a shell between them that would die and leave the suite running.
//
// `npm start -- --stand-ins` also starts the provider stand-ins (packages/stand-ins/src/main.ts)
// and points the suite at them: try everything without accounts at Telegram, Twilio, an SMTP
// server, VK, Yandex or Mail.ru (README, "Try every document in five minutes").
import { ensureInstalled, ensureGenerated, migrate } from './lib/bootstrap.mjs';
import { buildAll } from './lib/build.mjs';
import { checkInfra, describeMissing } from './lib/infra.mjs';
import { spawnProcess, startSuite, stopAll } from './lib/supervisor.mjs';

const say = (msg) => process.stdout.write(`[propusk] ${msg}\n`);
const width = 12;
const onLine = (name, line) => process.stdout.write(`${name.padEnd(width)}| ${line}\n`);
/** The stand-ins' first line carries their settings (packages/stand-ins/src/main.ts). */
const STAND_INS_ENV_LINE = 'PROPUSK_STAND_INS_ENV=';
const STAND_INS = {
  name: 'stand-ins',
  dir: 'packages/stand-ins',
  portVar: 'STAND_INS_PORT',
  defaultPort: 8090,
};
/** How often we look whether our parent is still there. */
const PARENT_CHECK_MS = 500;

const USAGE = `usage: npm start [-- --stand-ins]
  --stand-ins   also start local stand-ins for Telegram, Twilio, SMTP, VK ID, Yandex and Mail.ru
                (ports from STAND_INS_PORT, default 8090: Telegram 8091 … Mail.ru 8096)`;

/** Starts the stand-ins and answers their process handle and the settings that point at them. */
function startStandIns(env) {
  let resolveEnv;
  let rejectEnv;
  const standInEnv = new Promise((resolve, reject) => {
    resolveEnv = resolve;
    rejectEnv = reject;
  });
  const handle = spawnProcess(STAND_INS, env, (name, line) => {
    if (line.startsWith(STAND_INS_ENV_LINE)) resolveEnv(JSON.parse(line.slice(STAND_INS_ENV_LINE.length)));
    else onLine(name, line);
  });
  handle.exited.then((r) =>
    rejectEnv(new Error(`the stand-ins exited (${r.code ?? r.signal}): ${handle.tail.join('\n')}`)),
  );
  return standInEnv.then((extra) => ({ handle, env: extra }));
}

/** Every process started so far, and whether we are stopping them. */
const handles = [];
let stopping = false;

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const unknown = args.filter((a) => a !== '--stand-ins');
  if (unknown.length > 0) {
    process.stderr.write(`[propusk] unknown option ${unknown.join(' ')}\n${USAGE}\n`);
    process.exit(2);
  }
  // The processes write to our pipes, never to a terminal: ask for readable logs when we have one.
  const env = { ...(process.stdout.isTTY ? { LOG_FORMAT: 'pretty' } : {}), ...process.env };
  const missing = await checkInfra(env);
  if (missing.length > 0) {
    process.stderr.write(`[propusk] cannot start:\n${describeMissing(missing)}\n`);
    process.exit(1);
  }
  ensureInstalled(say);
  ensureGenerated(say);
  await buildAll({ log: say });
  migrate(env, say);

  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping every process`);
    // The suite first, the stand-ins it talks to last (no failed calls to a stand-in gone early).
    const standIns = handles.filter((h) => h.proc === STAND_INS);
    const results = [
      ...(await stopAll(handles.filter((h) => h.proc !== STAND_INS))),
      ...(await stopAll(standIns)),
    ];
    const bad = results.filter((r) => r.code !== 0);
    for (const r of bad) say(`${r.name} exited with ${r.code ?? r.signal}`);
    process.exit(bad.length === 0 ? 0 : 1);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
  // A parent killed outright (SIGKILL) sends nothing: orphaned, we are re-parented.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && void stop('parent gone'), PARENT_CHECK_MS).unref();

  if (args.includes('--stand-ins')) {
    say('starting the provider stand-ins');
    const standIns = await startStandIns(env);
    handles.push(standIns.handle);
    Object.assign(env, standIns.env);
  }
  say('starting identity, verification, federation, token, notification and the gateway');
  const suite = await startSuite({ env, onLine, onSpawn: (h) => handles.push(h) });
  if (stopping) return;
  say(`ready: gateway at ${suite.gatewayUrl} (readiness: ${suite.gatewayUrl}/readyz)`);
  // A process that dies on its own takes the suite down: a half-running suite lies.
  for (const h of handles) {
    h.exited.then((r) => {
      if (stopping) return;
      say(`${h.proc.name} exited unexpectedly (${r.code ?? r.signal}); stopping`);
      void stop('child exit');
    });
  }
}

main().catch(async (err) => {
  if (stopping) return; // a start cut short by a signal: stop() reports and exits
  stopping = true;
  process.stderr.write(`[propusk] start failed: ${err.message}\n`);
  await stopAll(handles);
  process.exit(1);
});
