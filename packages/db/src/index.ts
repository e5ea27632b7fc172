// @propusk/db: the account base schema, its migrations, and the Prisma client on the pg adapter.
export { createPrismaClient } from './client.js';
export { checkDatabase } from './check.js';
export { ensureDatabase, migrate, MigrationError, type MigrateOptions } from './migrate.js';
export { dropDatabase } from './server.js';
export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './test-database.js';
export { DEFAULT_DATABASE_URL } from './url.js';
export {
  KeyStatus,
  Prisma,
  PrismaClient,
  Provider,
  Role,
  type Account,
  type FederatedIdentity,
  type SigningKey,
  type StaffAllowlistEntry,
  type TelegramChat,
} from './generated/prisma/client.js';
