// Throwaway databases for tests of any package: fresh, migrated, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { migrate } from './migrate.js';
import { dropDatabase, ensureDatabase } from './server.js';
import { DEFAULT_DATABASE_URL, withDatabase } from './url.js';

export interface TestDatabase {
  url: string;
  /** Ends every connection still open to it, then drops it. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Any URL on the server to use; defaults to DATABASE_URL, then the local default. */
  serverUrl?: string;
  /** Skip migrating, e.g. to test the migration runner itself. */
  migrate?: boolean;
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const url = withDatabase(serverUrl, `propusk_test_${randomBytes(6).toString('hex')}`);
  await ensureDatabase(url);
  const database: TestDatabase = { url, drop: () => dropDatabase(url) };
  if (options.migrate === false) return database;
  try {
    await migrate(url);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}
