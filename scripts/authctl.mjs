#!/usr/bin/env node
// `npm run authctl -- <command>`: installs and generates when needed, applies migrations,
// then runs the operator CLI (tools/authctl).
import { spawnSync } from 'node:child_process';
import { ROOT, ensureInstalled, ensureGenerated } from './lib/bootstrap.mjs';

const quiet = (msg) => process.stderr.write(`[propusk] ${msg}\n`);
ensureInstalled(quiet);
ensureGenerated(quiet);
const migrated = spawnSync(process.execPath, ['--import', 'tsx', 'packages/db/src/cli.ts', 'migrate'], {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (migrated.status !== 0) process.exit(migrated.status ?? 1);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'tools/authctl/src/main.ts', ...process.argv.slice(2)],
  { cwd: ROOT, stdio: 'inherit' },
);
process.exit(r.status ?? 1);
