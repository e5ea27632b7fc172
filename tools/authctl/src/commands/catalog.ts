import type { PrismaClient } from '@propusk/db';
import type { Parsed } from '../args.js';
import type { CommandSpec } from '../usage.js';

export type Print = (line: string) => void;

/**
 * One command: what `--help` says of it, and how it runs. Implementations are imported when
 * the command runs, so `--help` and light commands load nothing heavy (argon2, Prisma, Redis).
 */
export type Command = CommandSpec &
  (
    | { database: true; run(prisma: PrismaClient, p: Parsed, print: Print): Promise<void> }
    | { database: false; run(p: Parsed, print: Print): Promise<void> }
  );

const ROLE = 'superuser|staff|admin';

export const COMMANDS: readonly Command[] = [
  {
    name: 'users create',
    summary: 'creates an account with a password (argon2id) and its roles',
    flags: [
      { name: 'username', value: 'U', about: 'the login name', required: true },
      { name: 'password', value: 'P', about: '8–128 characters, not a common password', required: true },
      { name: 'role', value: ROLE, about: 'a role; give it again for more', repeatable: true },
      { name: 'email', value: 'E', about: 'an e-mail address (stored lower-cased)' },
      {
        name: 'phone',
        value: 'P',
        about: 'a Russian mobile in any spelling (+7 9XX…, 8 9XX…, 7 (9XX) XXX-XX-XX) or E.164',
      },
    ],
    example:
      "users create --username alice --password 'correct horse battery' --role admin --role staff --phone '8 (916) 123-45-67'",
    database: true,
    run: async (prisma, p, print) => (await import('./accounts.js')).usersCreate(prisma, p, print),
  },
  {
    name: 'staff add',
    args: '<telegram-username>',
    summary: 'puts a Telegram username on the staff allowlist (document 000 registration)',
    example: 'staff add @some_telegram_user',
    database: true,
    run: async (prisma, p, print) => (await import('./staff.js')).staffAdd(prisma, p, print),
  },
  {
    name: 'staff list',
    summary: 'shows the staff allowlist, with when each name was added',
    example: 'staff list',
    database: true,
    run: async (prisma, p, print) => (await import('./staff.js')).staffList(prisma, p, print),
  },
  {
    name: 'keys rotate',
    summary: 'makes a new active signing key; the previous one verifies until its tokens expire',
    flags: [
      {
        name: 'alg',
        value: 'RS256|HS256',
        about: 'RS256 (default: published in the JWKS) or HS256 (the HMAC key, never published)',
      },
    ],
    example: 'keys rotate --alg HS256',
    database: true,
    run: async (prisma, p, print) => (await import('./keys.js')).keysRotate(prisma, p, print),
  },
  {
    name: 'keys list',
    summary: 'shows the signing keys that verify tokens now (active and retiring)',
    example: 'keys list',
    database: true,
    run: async (prisma, p, print) => (await import('./keys.js')).keysList(prisma, p, print),
  },
  {
    name: 'keys reseal',
    summary: 'seals every signing key under the first key of KEYS_ENCRYPTION_KEY (master key rotation)',
    notes: [
      'Rows still in clear are sealed, rows sealed under another listed master key are moved to',
      'the first one; once it is done, the other keys can leave KEYS_ENCRYPTION_KEY.',
    ],
    example: 'keys reseal',
    database: true,
    run: async (prisma, p, print) => (await import('./keys.js')).keysReseal(prisma, p, print),
  },
  {
    name: 'outbox show',
    summary: 'development: the messages kept instead of sent (no channel credentials), newest first',
    flags: [{ name: 'limit', value: 'N', about: 'how many, 1–1000 (default 10)' }],
    example: 'outbox show --limit 3',
    database: false,
    run: async (p, print) => (await import('./outbox.js')).outboxShow(p, print),
  },
  {
    name: 'dev telegram-start',
    args: '<username> <chat-id>',
    summary: 'development: the Telegram stand-in sends the bot a /start from that user and chat',
    notes: [
      'Posts to the stand-in at TELEGRAM_API_ROOT (default http://127.0.0.1:8091, where',
      '`npm start -- --stand-ins` runs it), as if the user pressed Start in the bot.',
    ],
    example: 'dev telegram-start some_telegram_user 3546223',
    database: false,
    run: async (p, print) => (await import('./dev-telegram.js')).devTelegramStart(p, print),
  },
];

/** The command the positionals name (`users create …`), or undefined. */
export function findCommand(positionals: readonly string[]): Command | undefined {
  const name = positionals.slice(0, 2).join(' ');
  return COMMANDS.find((c) => c.name === name);
}

/** The commands of a group (`authctl users --help`). */
export function commandsOf(group: string | undefined): Command[] {
  return COMMANDS.filter((c) => c.name.split(' ')[0] === group);
}
