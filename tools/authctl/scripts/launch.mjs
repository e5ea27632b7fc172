// How `npm run authctl -- <command>` starts the operator CLI: quickly and quietly.
//
// - Dependencies and the Prisma client: when nothing changed since they were last prepared
//   (their stamps are newer than what they were made from), nothing runs. Otherwise the
//   repository's bootstrap (scripts/lib/bootstrap.mjs) runs in a child whose output — pnpm's,
//   Prisma's "Loaded Prisma config…" — is shown only if it fails.
// - The CLI runs from its bundle (scripts/lib/build.mjs, rebuilt only when a source changed) in
//   this process; were esbuild unusable, through tsx in a child (slower, same behaviour).
// - Migrations are the CLI's own business (src/database.ts), for the commands that use Postgres.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const at = (file) => path.join(ROOT, file);

function mtimeOf(file) {
  return statSync(at(file), { throwIfNoEntry: false })?.mtimeMs;
}

/** `made` exists and is at least as new as every one of `from`. */
function newer(made, from) {
  const t = mtimeOf(made);
  return t !== undefined && from.every((f) => (mtimeOf(f) ?? Infinity) <= t);
}

/**
 * The install stamp (written by the bootstrap after `pnpm install`) newer than the manifests,
 * and the generated client's stamp newer than the schema: then both are as prepared.
 */
function prepared() {
  return (
    newer('node_modules/.propusk-install', ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'package.json']) &&
    newer('packages/db/src/generated/prisma/.schema-hash', ['packages/db/prisma/schema.prisma'])
  );
}

function prepareQuietly() {
  process.stderr.write('[propusk] preparing: dependencies and the Prisma client (only after they change)\n');
  const script = [
    `const b = await import(${JSON.stringify(pathToFileURL(at('scripts/lib/bootstrap.mjs')).href)});`,
    'const log = (m) => process.stderr.write(`[propusk] ${m}\\n`);',
    'b.ensureInstalled(log); b.ensureGenerated(log);',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout}${r.stderr}[propusk] preparing failed (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

function runThroughTsx(args, reason) {
  process.stderr.write(`[propusk] running the CLI through tsx (slower): ${reason}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/authctl/src/main.ts', ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

/** Prepares what is needed, then runs the CLI with `args` (it exits with its own status). */
export async function runAuthctl(args) {
  if (!prepared()) prepareQuietly();
  let main;
  try {
    const { buildAll, ENTRIES, outputOf } = await import('../../../scripts/lib/build.mjs');
    await buildAll();
    main = outputOf(ENTRIES.find((e) => e.dir === 'tools/authctl'));
  } catch (err) {
    runThroughTsx(args, err instanceof Error ? err.message.split('\n')[0] : String(err));
    return;
  }
  // The CLI reads its arguments from process.argv, as it does when started on its own.
  process.argv = [process.argv[0], main, ...args];
  await import(pathToFileURL(main).href);
}
