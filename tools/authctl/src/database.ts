import { CORE_SETTINGS, loadConfig } from '@propusk/kit';
import { createPrismaClient, ensureDatabase, migrate, MigrationError, type PrismaClient } from '@propusk/db';

/** Postgres: the database does not exist (SQLSTATE 3D000, invalid_catalog_name). */
const NO_DATABASE = '3D000';

function missingDatabase(err: unknown): boolean {
  return err instanceof MigrationError && (err.cause as { code?: string } | undefined)?.code === NO_DATABASE;
}

/**
 * The account database at the latest migration, then a Prisma client on it. The migration
 * runner is @propusk/db's (the same advisory lock and history as the services' migrate step):
 * at the latest migration it applies nothing and costs one short connection. A database that
 * does not exist yet is created first, as `npm start` would.
 */
export async function openDatabase(): Promise<PrismaClient> {
  const { DATABASE_URL } = loadConfig({ DATABASE_URL: CORE_SETTINGS.DATABASE_URL });
  try {
    await migrate(DATABASE_URL);
  } catch (err) {
    if (!missingDatabase(err)) throw err;
    await ensureDatabase(DATABASE_URL);
    await migrate(DATABASE_URL);
  }
  return createPrismaClient(DATABASE_URL);
}
