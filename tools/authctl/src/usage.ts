import type { Parsed } from './args.js';
import { UsageError } from './args.js';

/** One flag of a command, as its usage shows it. */
export interface FlagSpec {
  name: string;
  /** What the value is, e.g. `U`; the flag is shown `--name U`. */
  value: string;
  about: string;
  required?: boolean;
  repeatable?: boolean;
}

/** What `--help` tells about a command, and what its parsing accepts. */
export interface CommandSpec {
  /** `users create`, `staff add`, … (the first positionals). */
  name: string;
  /** Positional arguments after the name, e.g. `<telegram-username>`. */
  args?: string;
  summary: string;
  flags?: readonly FlagSpec[];
  /** Extra lines: what it reads, what it changes. */
  notes?: readonly string[];
  example: string;
}

const PREFIX = 'npm run authctl --';

function flagShown(f: FlagSpec): string {
  return `--${f.name} ${f.value}`;
}

function flagLines(flags: readonly FlagSpec[]): string[] {
  const width = Math.max(...flags.map((f) => flagShown(f).length));
  return flags.map((f) => {
    const notes = [f.required && 'required', f.repeatable && 'repeatable'].filter(Boolean);
    return `    ${flagShown(f).padEnd(width)}  ${f.about}${notes.length ? ` (${notes.join(', ')})` : ''}`;
  });
}

function synopsis(c: CommandSpec): string {
  const flags = (c.flags ?? []).map((f) => {
    const shown = `--${f.name} ${f.value}${f.repeatable ? ' …' : ''}`;
    return f.required ? shown : `[${shown}]`;
  });
  return [c.name, c.args, ...flags].filter(Boolean).join(' ');
}

/** `authctl <command> --help`: the synopsis, every flag and an example. */
export function commandUsage(c: CommandSpec): string {
  const lines = [`usage: ${PREFIX} ${synopsis(c)}`, '', `  ${c.summary}`];
  if (c.flags?.length) lines.push('', '  flags:', ...flagLines(c.flags));
  if (c.notes?.length) lines.push('', ...c.notes.map((n) => `  ${n}`));
  lines.push('', '  example:', `    ${PREFIX} ${c.example}`);
  return lines.join('\n');
}

/** `authctl --help`: every command with its synopsis, summary and example. */
export function usage(commands: readonly CommandSpec[]): string {
  const lines = [`usage: ${PREFIX} <command> [flags]     (${PREFIX} <command> --help for one command)`, ''];
  for (const c of commands) {
    lines.push(`  ${synopsis(c)}`, `      ${c.summary}`, `      e.g. ${PREFIX} ${c.example}`, '');
  }
  lines.push(
    'Database commands read DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/propusk) and',
    'bring the database to the latest migration first; outbox reads REDIS_URL and PROPUSK_NAMESPACE.',
    'Exit status: 0 done, 1 failed, 2 bad usage.',
  );
  return lines.join('\n');
}

/** Refuses flags the command does not take (a typo must not pass unnoticed). */
export function checkFlags(c: CommandSpec, p: Parsed): void {
  const known = new Set((c.flags ?? []).map((f) => f.name));
  for (const name of Object.keys(p.flags)) {
    if (!known.has(name)) {
      const takes = known.size ? `; it takes ${[...known].map((n) => `--${n}`).join(', ')}` : '';
      throw new UsageError(`${c.name} does not take --${name}${takes}`);
    }
  }
}
