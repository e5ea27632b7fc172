/** Minimal argv parsing: positionals and `--name value` flags (repeatable flags keep the last). */
export interface Parsed {
  positionals: string[];
  flags: Record<string, string>;
}

export function parseArgs(argv: readonly string[]): Parsed {
  const positionals: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      const value = inline ?? argv[i + 1];
      if (value === undefined || (inline === undefined && value.startsWith('--')))
        throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
      if (inline === undefined) i++;
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, flags };
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: npm run authctl -- <command>

  users create --username U --password P [--role superuser|staff|admin] [--email E] [--phone P]
  staff add <telegram-username>
  staff list
  keys rotate [--alg RS256|HS256]   (default RS256; HS256 is the HMAC key, never published)
  keys list
  outbox show [--limit N]           (development: messages kept instead of sent, newest first)

Reads DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/propusk); outbox reads
REDIS_URL and PROPUSK_NAMESPACE.`;
