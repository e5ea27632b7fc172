// Brings a clean clone to a runnable state: pnpm, dependencies, the generated Prisma
// client. Idempotent and quick when nothing changed. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

// Bootstrap output goes to stderr: stdout stays clean for what the command itself prints
// (the CLI's answers, the test count).
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['inherit', 2, 2], ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
}

function has(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** pnpm 10, installed through npm when missing (corepack's signature check fails here). */
export function ensurePnpm(log) {
  if (has('pnpm')) return 'pnpm';
  log('installing pnpm 10 (npm i -g pnpm@10)');
  run('npm', ['i', '-g', 'pnpm@10']);
  return 'pnpm';
}

function installFingerprint() {
  const h = createHash('sha256');
  for (const f of ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'package.json']) {
    if (existsSync(join(ROOT, f))) h.update(readFileSync(join(ROOT, f)));
  }
  return h.digest('hex');
}

const STAMP = join(ROOT, 'node_modules', '.propusk-install');

/** `pnpm install --frozen-lockfile` unless the lockfile is already installed as is. */
export function ensureInstalled(log) {
  const pnpm = ensurePnpm(log);
  const fp = installFingerprint();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === fp) return;
  log('installing dependencies (pnpm install)');
  run(pnpm, ['install', '--frozen-lockfile']);
  writeFileSync(STAMP, fp);
}

/** The Prisma client, generated from packages/db/prisma/schema.prisma (skips when current). */
export function ensureGenerated(log) {
  log('generating the Prisma client (skipped when current)');
  run('node', ['packages/db/scripts/generate.mjs']);
}

/** Runs the compiled migration runner (build.mjs) against DATABASE_URL (creates the database when missing). */
export function migrate(env, log) {
  log('applying database migrations');
  run('node', ['packages/db/dist/cli.mjs', 'migrate'], { env });
}
