/**
 * Minimal argv parsing: positionals, `--name value` / `--name=value` flags (every value of a
 * repeated flag is kept, in order) and `--help` / `-h`, which takes no value.
 */
export interface Parsed {
  positionals: string[];
  flags: Record<string, string[]>;
  help: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[]): Parsed {
  const positionals: string[] = [];
  const flags: Record<string, string[]> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const value = eq < 0 ? argv[i + 1] : arg.slice(eq + 1);
      if (value === undefined || (eq < 0 && value.startsWith('--')))
        throw new UsageError(`--${name} needs a value`);
      (flags[name] ??= []).push(value);
      if (eq < 0) i++;
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, flags, help };
}

/** A flag given at most once: its value, or undefined. Given twice it is ambiguous. */
export function single(p: Parsed, name: string): string | undefined {
  const values = p.flags[name];
  if (values && values.length > 1)
    throw new UsageError(`--${name} is given ${values.length} times; give it once`);
  return values?.[0];
}

/** A flag that must be there, once, and not empty. */
export function required(p: Parsed, name: string): string {
  const v = single(p, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** Every value of a repeatable flag (`--role admin --role staff`), in order. */
export function repeated(p: Parsed, name: string): string[] {
  return p.flags[name] ?? [];
}
