// Operator entry point: `tsx src/cli.ts migrate` (creates the database if needed, then migrates)
// and `tsx src/cli.ts create-db`. Uses DATABASE_URL, else the local default.
import { ensureDatabase, migrate } from './migrate.js';
import { DEFAULT_DATABASE_URL, databaseName } from './url.js';

const USAGE = 'usage: cli.ts <migrate | create-db>\n';

async function createDb(url: string): Promise<void> {
  const created = await ensureDatabase(url);
  process.stdout.write(`database ${databaseName(url)} ${created ? 'created' : 'already exists'}\n`);
}

async function migrateDb(url: string): Promise<void> {
  await createDb(url);
  const applied = await migrate(url);
  const summary = applied.length === 0 ? 'no pending migrations' : `applied ${applied.join(', ')}`;
  process.stdout.write(`${summary}\n`);
}

async function main(argv: string[]): Promise<number> {
  const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  switch (argv[0]) {
    case 'migrate':
      await migrateDb(url);
      return 0;
    case 'create-db':
      await createDb(url);
      return 0;
    default:
      process.stderr.write(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
