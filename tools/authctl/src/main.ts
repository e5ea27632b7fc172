import { createPrismaClient } from '@propusk/db';
import { CORE_SETTINGS, loadConfig } from '@propusk/kit';
import { parseArgs, UsageError, USAGE } from './args.js';
import { COMMANDS } from './commands.js';
import { outboxShow } from './outbox.js';

/** The operator CLI: `npm run authctl -- <command>`. Exit 0 on success, 2 on bad usage, 1 on failure. */
async function main(argv: readonly string[]): Promise<number> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const name = parsed.positionals.slice(0, 2).join(' ');
  if (name === 'outbox show') return runOutbox(parsed, print);
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`${name ? `unknown command: ${name}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const { DATABASE_URL } = loadConfig({ DATABASE_URL: CORE_SETTINGS.DATABASE_URL });
  const prisma = createPrismaClient(DATABASE_URL);
  try {
    await command(prisma, parsed, print);
    return 0;
  } catch (err) {
    process.stderr.write(`authctl: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  } finally {
    await prisma.$disconnect();
  }
}

/** The outbox lives in Redis, not Postgres. */
async function runOutbox(parsed: Parameters<typeof outboxShow>[0], print: (line: string) => void) {
  try {
    await outboxShow(parsed, print);
    return 0;
  } catch (err) {
    process.stderr.write(`authctl: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
