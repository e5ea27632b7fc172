import { parseArgs, UsageError, type Parsed } from './args.js';
import { commandsOf, COMMANDS, findCommand, type Command, type Print } from './commands/catalog.js';
import { checkFlags, commandUsage, usage } from './usage.js';

/**
 * The operator CLI: `npm run authctl -- <command>`. Exit 0 done (and for `--help`), 1 failed,
 * 2 bad usage (with the usage on stderr).
 */
const OK = 0;
const FAILED = 1;
const BAD_USAGE = 2;

const print: Print = (line) => process.stdout.write(`${line}\n`);
const complain = (text: string) => process.stderr.write(`${text}\n`);

async function run(command: Command, parsed: Parsed): Promise<void> {
  if (!command.database) return command.run(parsed, print);
  const { openDatabase } = await import('./database.js');
  const prisma = await openDatabase();
  try {
    await command.run(prisma, parsed, print);
  } finally {
    await prisma.$disconnect();
  }
}

/** `--help` anywhere: the named command's usage, a group's commands, or everything. */
function help(parsed: Parsed): number {
  const command = findCommand(parsed.positionals);
  const group = commandsOf(parsed.positionals[0]);
  if (command) print(commandUsage(command));
  else print(group.length ? usage(group) : usage(COMMANDS));
  return OK;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    complain(`authctl: ${(err as Error).message}\n\n${usage(COMMANDS)}`);
    return BAD_USAGE;
  }
  if (parsed.help || (parsed.positionals[0] === 'help' && parsed.positionals.length === 1))
    return help(parsed);
  const command = findCommand(parsed.positionals);
  if (!command) {
    const name = parsed.positionals.slice(0, 2).join(' ');
    complain(`${name ? `authctl: unknown command: ${name}\n\n` : ''}${usage(COMMANDS)}`);
    return BAD_USAGE;
  }
  try {
    checkFlags(command, parsed);
    await run(command, parsed);
    return OK;
  } catch (err) {
    if (err instanceof UsageError) {
      complain(`authctl: ${err.message}\n\n${commandUsage(command)}`);
      return BAD_USAGE;
    }
    complain(`authctl: ${(err as Error).message}`);
    return FAILED;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
