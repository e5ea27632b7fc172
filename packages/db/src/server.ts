// Creating and dropping whole databases, through the server's maintenance database.
import pg from 'pg';
import { databaseName, maintenanceUrl, quoteIdent, redactUrl } from './url.js';

// SQLSTATEs that mean "someone else created it first".
const DUPLICATE_DATABASE = '42P04';
// Two concurrent CREATE DATABASE can also collide on pg_database's unique index.
const UNIQUE_VIOLATION = '23505';

async function withMaintenanceClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const target = maintenanceUrl(url);
  const client = new pg.Client({ connectionString: target });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot connect to ${redactUrl(target)}: ${String(error)}`, { cause: error });
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/**
 * Creates the database the URL names when it does not exist yet.
 * Safe when several processes start at once: losing the race counts as success.
 * Returns true when this call created it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url);
  return withMaintenanceClient(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (error) {
      const code = sqlState(error);
      if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  });
}

/** Drops the database the URL names, first ending every session still connected to it. */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await withMaintenanceClient(url, async (client) => {
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    // FORCE (PG 13+) also ends sessions that connected after the terminate above.
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
}
