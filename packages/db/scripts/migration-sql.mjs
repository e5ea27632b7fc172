#!/usr/bin/env node
// Prints the SQL Prisma's own schema engine would put in the next migration.sql, offline:
//   node scripts/migration-sql.mjs [--from <old schema.prisma>] [--to <new schema.prisma>]
// --from defaults to an empty database (the init migration), --to to prisma/schema.prisma.
// For a change: git show HEAD:packages/db/prisma/schema.prisma > /tmp/old.prisma, then --from it.
//
// `prisma migrate diff` needs the native schema engine we cannot download, but @prisma/internals
// ships the same engine compiled to WebAssembly. It insists on a live connection even for a
// schema-to-schema diff (it only reads the server version), so it gets one to the `postgres`
// maintenance database of DATABASE_URL's server; nothing is read from or written to any schema.
// The engine's files are not a public API of @prisma/internals, so this may need adjusting when
// Prisma is upgraded.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(packageDir, 'package.json'));

async function loadSchemaEngine() {
  const internalsDir = path.dirname(require.resolve('@prisma/internals/package.json'));
  const wasmDir = path.join(internalsDir, '..', 'schema-engine-wasm');
  const bindings = await import(pathToFileURL(path.join(wasmDir, 'schema_engine_bg.js')).href);
  const module = new WebAssembly.Module(readFileSync(path.join(wasmDir, 'schema_engine_bg.wasm')));
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bindings.SchemaEngine;
}

async function adapterFor(pool) {
  const { PrismaPg } = await import(pathToFileURL(require.resolve('@prisma/adapter-pg')).href);
  const internalsRequire = createRequire(require.resolve('@prisma/internals'));
  const { bindMigrationAwareSqlAdapterFactory } = internalsRequire('@prisma/driver-adapter-utils');
  return bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool));
}

function maintenanceUrl() {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/propusk');
  url.pathname = '/postgres';
  return url.toString();
}

function schemaTarget(file) {
  return { tag: 'schemaDatamodel', files: [{ path: file, content: readFileSync(file, 'utf8') }] };
}

const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
const to = values.to ?? path.join(packageDir, 'prisma', 'schema.prisma');
const { default: pg } = await import(pathToFileURL(require.resolve('pg')).href);
const pool = new pg.Pool({ connectionString: maintenanceUrl(), max: 1 });
let result;
try {
  const SchemaEngine = await loadSchemaEngine();
  const engine = await SchemaEngine.new({ datamodels: undefined }, () => {}, await adapterFor(pool));
  result = await engine.diff({
    from: values.from === undefined ? { tag: 'empty' } : schemaTarget(values.from),
    to: schemaTarget(to),
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
} finally {
  await pool.end();
}
// From nothing the engine also emits CREATE SCHEMA for "public"; `migrate dev` diffs against a
// shadow database that already has it, so its migrations do not, and neither do ours.
const sql = (result.stdout ?? '').replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '');
process.stdout.write(sql);
