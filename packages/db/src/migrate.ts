// Applies prisma/migrations without the Prisma CLI, whose native schema engine we do not ship.
// Bookkeeping is Prisma's own: the same _prisma_migrations table, checksums and advisory lock,
// so `prisma migrate deploy` (where its engine exists) agrees with what this runner did.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { checksumMatches, readMigrations, type LocalMigration } from './migrations-dir.js';
import { redactUrl } from './url.js';

export { ensureDatabase } from './server.js';

// Prisma's schema engine takes this session-level advisory lock; sharing the key means our
// runner, other replicas of it, and `prisma migrate deploy` all wait for each other.
const PRISMA_MIGRATE_LOCK_KEY = 72707369;
const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
// SQLSTATE raised when lock_timeout expires.
const LOCK_NOT_AVAILABLE = '55P03';

// Exactly the DDL Prisma's schema engine uses (sql-schema-connector, postgres flavour).
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrateOptions {
  /** Defaults to this package's prisma/migrations. */
  migrationsDir?: string;
  /** How long to wait for another migrator to finish before giving up. */
  lockTimeoutMs?: number;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Applies pending migrations in name order, each in its own transaction, and returns
 * the names it applied (empty when the database was up to date).
 * Refuses to run when the history is suspect: a migration left failed by Prisma,
 * or an applied migration whose file has changed since.
 */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<string[]> {
  const local = await readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new MigrationError(`cannot connect to ${redactUrl(url)}: ${String(error)}`, { cause: error });
  }
  try {
    await acquireLock(client, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const rows = await readHistory(client);
    checkHistory(local, rows);
    const applied = new Set(rows.filter(isApplied).map((row) => row.migration_name));
    const pending = local.filter((migration) => !applied.has(migration.name));
    for (const migration of pending) await applyOne(client, migration);
    return pending.map((migration) => migration.name);
  } finally {
    // Ending the session releases the advisory lock too.
    await client.end();
  }
}

async function acquireLock(client: pg.Client, timeoutMs: number): Promise<void> {
  // lock_timeout bounds the wait for the advisory lock; reset so migrations run with the default.
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
  } catch (error) {
    if (sqlState(error) !== LOCK_NOT_AVAILABLE) throw error;
    throw new MigrationError(
      `timed out after ${timeoutMs} ms waiting for the migration lock (pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})): another migrator is running or a session holds it`,
      { cause: error },
    );
  } finally {
    await client.query('RESET lock_timeout');
  }
}

async function readHistory(client: pg.Client): Promise<MigrationRow[]> {
  const result = await client.query<MigrationRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );
  return result.rows;
}

// Prisma's meaning: a row counts once it finished and nobody marked it rolled back.
function isApplied(row: MigrationRow): boolean {
  return row.finished_at !== null && row.rolled_back_at === null;
}

function isFailed(row: MigrationRow): boolean {
  return row.finished_at === null && row.rolled_back_at === null;
}

function checkHistory(local: LocalMigration[], rows: MigrationRow[]): void {
  const failed = rows.filter(isFailed).map((row) => row.migration_name);
  if (failed.length > 0) {
    throw new MigrationError(
      `migration ${failed.join(', ')} is recorded as failed in _prisma_migrations (finished_at and rolled_back_at are null); ` +
        'check the database by hand, then mark it rolled back (set rolled_back_at, or `prisma migrate resolve --rolled-back <name>`) or applied',
    );
  }
  const byName = new Map(local.map((migration) => [migration.name, migration]));
  const edited = rows
    .filter(isApplied)
    .filter((row) => {
      const file = byName.get(row.migration_name);
      // A row without a local file belongs to a newer release; Prisma deploy ignores it too.
      return file !== undefined && !checksumMatches(file.script, row.checksum);
    })
    .map((row) => row.migration_name);
  if (edited.length > 0) {
    throw new MigrationError(
      `migration ${edited.join(', ')} was modified after it was applied (its migration.sql checksum differs from _prisma_migrations); ` +
        'restore the original file and put the change in a new migration',
    );
  }
}

/**
 * Runs one migration and its bookkeeping row in a single transaction, so a crash or an error
 * leaves neither half-applied schema nor a dangling row. Migrations must therefore be
 * transaction-safe (no CREATE INDEX CONCURRENTLY and the like).
 */
async function applyOne(client: pg.Client, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)',
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.script);
    // One script is one step in Prisma's accounting; clock_timestamp() because now() is frozen
    // at the transaction start.
    await client.query(
      'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    // Best effort: if the session itself broke, the migration error below is what matters.
    await recordRolledBack(client, migration, error).catch(() => undefined);
    throw new MigrationError(`migration ${migration.name} failed and was rolled back: ${oneLine(error)}`, {
      cause: error,
    });
  }
}

/**
 * Keeps the failure visible in _prisma_migrations (logs) like Prisma does, but with
 * rolled_back_at set: the transaction really undid it, so the next start may retry
 * without anyone running `migrate resolve`.
 */
async function recordRolledBack(client: pg.Client, migration: LocalMigration, error: unknown): Promise<void> {
  await client.query(
    'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, rolled_back_at) VALUES ($1, $2, $3, $4, now())',
    [randomUUID(), migration.checksum, migration.name, logEntry(error)],
  );
}

function sqlState(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = sqlState(error);
  return code === undefined ? message : `${message} (SQLSTATE ${code})`;
}

// Shaped like the logs Prisma's engine writes for a failed migration.
function logEntry(error: unknown): string {
  const code = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined ? message : `Database error code: ${code}\n\nDatabase error:\n${message}`;
}
