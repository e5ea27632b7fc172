// The migration runner: Prisma-compatible bookkeeping, idempotence, concurrency, refusals.
import { cp, mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { ensureDatabase, migrate, MigrationError } from '../src/migrate.js';
import { DEFAULT_MIGRATIONS_DIR, sha256Hex } from '../src/migrations-dir.js';
import { dropDatabase } from '../src/server.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';
import { DEFAULT_DATABASE_URL, withDatabase } from '../src/url.js';

/** The part of a tap test these helpers need. */
interface Teardowns {
  teardown(fn: () => unknown): void;
}

const localNames = (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** A fresh, unmigrated database, dropped when the test ends. */
async function freshDatabase(t: Teardowns): Promise<TestDatabase> {
  const database = await createTestDatabase({ migrate: false });
  t.teardown(() => database.drop());
  return database;
}

/** A copy of the migrations folder that a test may edit. */
async function migrationsCopy(t: Teardowns): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'propusk-migrations-'));
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function query<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

t.test('applies every migration once, with Prisma bookkeeping', async (t) => {
  const { url } = await freshDatabase(t);
  t.same(await migrate(url), localNames, 'first run applies all');
  t.same(await migrate(url), [], 'second run applies nothing');

  const rows = await query<{
    id: string;
    checksum: string;
    migration_name: string;
    finished_at: Date | null;
    rolled_back_at: Date | null;
    logs: string | null;
    applied_steps_count: number;
  }>(url, 'SELECT * FROM _prisma_migrations ORDER BY migration_name');
  t.equal(rows.length, localNames.length);
  for (const row of rows) {
    const file = await readFile(path.join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
    t.equal(row.checksum, sha256Hex(file), `${row.migration_name}: checksum is sha256 of migration.sql`);
    t.match(row.id, /^[0-9a-f-]{36}$/);
    t.ok(row.finished_at, 'finished');
    t.equal(row.rolled_back_at, null);
    t.equal(row.logs, null);
    t.equal(row.applied_steps_count, 1);
  }
});

t.test('_prisma_migrations has exactly the columns Prisma creates', async (t) => {
  const { url } = await freshDatabase(t);
  await migrate(url);
  const columns = await query<{ name: string; type: string; nullable: boolean; default: string | null }>(
    url,
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
            pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = '_prisma_migrations'::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
  );
  t.same(columns, [
    { name: 'id', type: 'character varying(36)', nullable: false, default: null },
    { name: 'checksum', type: 'character varying(64)', nullable: false, default: null },
    { name: 'finished_at', type: 'timestamp with time zone', nullable: true, default: null },
    { name: 'migration_name', type: 'character varying(255)', nullable: false, default: null },
    { name: 'logs', type: 'text', nullable: true, default: null },
    { name: 'rolled_back_at', type: 'timestamp with time zone', nullable: true, default: null },
    { name: 'started_at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
    { name: 'applied_steps_count', type: 'integer', nullable: false, default: '0' },
  ]);
  const primary = await query<{ name: string }>(
    url,
    `SELECT conname AS name FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass AND contype = 'p'`,
  );
  t.same(primary, [{ name: '_prisma_migrations_pkey' }]);
});

t.test('concurrent migrators on a fresh database apply once', async (t) => {
  const { url } = await freshDatabase(t);
  const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
  t.same(results.flat().sort(), localNames, 'each migration applied by exactly one caller');
  const rows = await query(url, 'SELECT 1 FROM _prisma_migrations');
  t.equal(rows.length, localNames.length);
});

t.test('concurrent ensureDatabase both succeed, one creates', async (t) => {
  const url = withDatabase(
    process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    `propusk_test_race_${process.pid}`,
  );
  t.teardown(() => dropDatabase(url));
  const created = await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
  t.equal(created.filter(Boolean).length, 1);
  t.equal(await ensureDatabase(url), false, 'existing database is left alone');
});

t.test('refuses when an applied migration was edited', async (t) => {
  const { url } = await freshDatabase(t);
  const dir = await migrationsCopy(t);
  await migrate(url, { migrationsDir: dir });
  const first = localNames[0] ?? '';
  const file = path.join(dir, first, 'migration.sql');
  const original = await readFile(file, 'utf8');

  await writeFile(file, original.replaceAll('\n', '\r\n'));
  t.same(
    await migrate(url, { migrationsDir: dir }),
    [],
    'line-ending changes alone are accepted, like Prisma',
  );

  await writeFile(file, `${original}-- an innocent comment\n`);
  await t.rejects(migrate(url, { migrationsDir: dir }), {
    name: 'MigrationError',
    message: new RegExp(`migration ${first} was modified after it was applied`),
  });
});

t.test('refuses while a migration is recorded as failed', async (t) => {
  const { url } = await freshDatabase(t);
  await migrate(url);
  await query(
    url,
    `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES ($1, $2, $3, 'boom')`,
    ['00000000-0000-4000-8000-000000000000', '0'.repeat(64), '20990101000000_half_done'],
  );
  await t.rejects(migrate(url), { message: /20990101000000_half_done is recorded as failed/ });
  await query(url, `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1`, [
    '20990101000000_half_done',
  ]);
  t.same(await migrate(url), [], 'resolved as rolled back: runs again');
});

t.test('a failing migration is rolled back, recorded, and retried next time', async (t) => {
  const { url } = await freshDatabase(t);
  const dir = await migrationsCopy(t);
  const name = '20990101000000_broken';
  await mkdir(path.join(dir, name));
  const file = path.join(dir, name, 'migration.sql');
  await writeFile(file, 'CREATE TABLE "half" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n');

  const error = await migrate(url, { migrationsDir: dir }).catch((caught: unknown) => caught);
  t.ok(error instanceof MigrationError, 'throws MigrationError');
  t.match(String(error), /migration 20990101000000_broken failed and was rolled back: .*no_such_table/);
  const half = await query(url, `SELECT to_regclass('half') AS oid`);
  t.same(half, [{ oid: null }], 'the first statement was rolled back with the failing one');
  const rows = await query<{ finished_at: Date | null; rolled_back_at: Date | null; logs: string }>(
    url,
    'SELECT finished_at, rolled_back_at, logs FROM _prisma_migrations WHERE migration_name = $1',
    [name],
  );
  t.equal(rows.length, 1);
  t.equal(rows[0]?.finished_at, null);
  t.ok(rows[0]?.rolled_back_at, 'marked rolled back, so it does not block');
  t.match(rows[0]?.logs, /42P01/);

  await writeFile(file, 'CREATE TABLE "half" ("id" INTEGER);\n');
  t.same(await migrate(url, { migrationsDir: dir }), [name], 'fixed migration applies');
});

t.test('waits for the migration lock, then gives up clearly', async (t) => {
  const { url } = await freshDatabase(t);
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  t.teardown(() => holder.end());
  // Prisma's key: `prisma migrate deploy` and this runner exclude each other.
  await holder.query('SELECT pg_advisory_lock(72707369)');
  await t.rejects(migrate(url, { lockTimeoutMs: 300 }), {
    name: 'MigrationError',
    message: /timed out after 300 ms waiting for the migration lock/,
  });
  const waiting = migrate(url, { lockTimeoutMs: 5000 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await holder.query('SELECT pg_advisory_unlock(72707369)');
  t.same(await waiting, localNames, 'proceeds once the lock is released');
});

t.test('a clear error when the server is unreachable', async (t) => {
  await t.rejects(migrate('postgresql://postgres:secret@127.0.0.1:1/nowhere'), {
    name: 'MigrationError',
    message: /cannot connect to postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere/,
  });
});
