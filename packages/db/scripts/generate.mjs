#!/usr/bin/env node
// Generates the Prisma client into src/generated/prisma, offline, and only when needed.
//
// The Prisma CLI insists on locating a native schema engine before any command, and would
// download one (impossible here, and unused: the client runs on @prisma/adapter-pg).
// `generate` never runs that engine, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing
// file (node itself) satisfies the check. CHECKPOINT_DISABLE stops the update/telemetry ping.
//
// Skips in a few milliseconds when the output was generated from the same schema by the
// same Prisma version (a hash of both is stored next to the output). `--force` regenerates.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = path.join(packageDir, 'prisma', 'schema.prisma');
const outputDir = path.join(packageDir, 'src', 'generated', 'prisma');
const stampPath = path.join(outputDir, '.schema-hash');
// Test runners start several processes at once; only one may write the output directory.
const lockPath = path.join(packageDir, 'src', 'generated', '.generate.lock');
const STALE_LOCK_MS = 60_000;
const require = createRequire(path.join(packageDir, 'package.json'));

function prismaCli() {
  let manifestPath;
  try {
    manifestPath = require.resolve('prisma/package.json');
  } catch {
    return undefined; // a production install (no devDependencies)
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  return { version: manifest.version, bin: path.join(path.dirname(manifestPath), manifest.bin.prisma) };
}

function expectedStamp(prismaVersion) {
  const hash = createHash('sha256').update(`prisma ${prismaVersion}\n`).update(readFileSync(schemaPath));
  return hash.digest('hex');
}

function isUpToDate(stamp) {
  if (!existsSync(path.join(outputDir, 'client.ts')) || !existsSync(stampPath)) return false;
  return readFileSync(stampPath, 'utf8').trim() === stamp;
}

function runGenerate(bin) {
  const engineStandIn = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
  const env = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY:
      engineStandIn && existsSync(engineStandIn) ? engineStandIn : process.execPath,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  };
  const result = spawnSync(process.execPath, [bin, 'generate'], { cwd: packageDir, env, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the lock directory (mkdir is atomic), breaking one left behind by a crashed run. */
function withLock(work) {
  mkdirSync(path.dirname(lockPath), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockPath);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const age = Date.now() - statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs;
      if (age > STALE_LOCK_MS) rmSync(lockPath, { recursive: true, force: true });
      else sleep(100);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lockPath, { recursive: true, force: true });
  }
}

/** Generates when stale; returns true when it ran prisma generate. Throws when generation fails. */
export function ensureGenerated({ force = false } = {}) {
  const cli = prismaCli();
  if (cli === undefined) {
    if (existsSync(path.join(outputDir, 'client.ts'))) return false;
    throw new Error(
      'the generated Prisma client is missing and the prisma CLI (a devDependency) is not installed',
    );
  }
  const stamp = expectedStamp(cli.version);
  if (!force && isUpToDate(stamp)) return false;
  return withLock(() => {
    // Another process may have generated it while we waited for the lock.
    if (!force && isUpToDate(stamp)) return false;
    const status = runGenerate(cli.bin);
    if (status !== 0) throw new Error(`prisma generate exited with status ${status}`);
    writeFileSync(stampPath, `${stamp}\n`);
    return true;
  });
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  try {
    const generated = ensureGenerated({ force: process.argv.includes('--force') });
    if (!generated) process.stdout.write('@propusk/db: Prisma client is up to date\n');
  } catch (error) {
    process.stderr.write(`@propusk/db: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
