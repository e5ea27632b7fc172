import type { PrismaClient, Role } from '@propusk/db';
import {
  AccountsError,
  createAccountsService,
  createPasswordHasher,
  createPrismaAccountStore,
  createPrismaStaffStore,
  createStaffService,
} from '@propusk/identity/domain';
import {
  createKeysService,
  createPrismaKeyStore,
  isSigningAlg,
  SIGNING_ALG,
  SIGNING_ALGS,
} from '@propusk/token/domain';
import { UsageError, type Parsed } from './args.js';

const ROLES: readonly Role[] = ['superuser', 'staff', 'admin'];

export type Print = (line: string) => void;

function requireFlag(p: Parsed, name: string): string {
  const v = p.flags[name];
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

async function usersCreate(prisma: PrismaClient, p: Parsed, print: Print): Promise<void> {
  const role = p.flags.role;
  if (role !== undefined && !ROLES.includes(role as Role))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const accounts = createAccountsService({
    store: createPrismaAccountStore(prisma),
    hasher: await createPasswordHasher(),
  });
  try {
    const account = await accounts.create({
      username: requireFlag(p, 'username'),
      password: requireFlag(p, 'password'),
      email: p.flags.email,
      phone: p.flags.phone,
      roles: role ? [role as Role] : [],
    });
    print(
      `created user ${account.username} (${account.id})${account.roles.length ? ` with role ${account.roles.join(', ')}` : ''}`,
    );
  } catch (err) {
    if (err instanceof AccountsError) throw new UsageError(err.message);
    throw err;
  }
}

async function staffAdd(prisma: PrismaClient, p: Parsed, print: Print): Promise<void> {
  const name = p.positionals[2];
  if (!name) throw new UsageError('staff add needs a Telegram username');
  const staff = createStaffService({ store: createPrismaStaffStore(prisma) });
  try {
    const entry = await staff.add(name, 'authctl');
    print(`added ${entry.username} to the staff allowlist`);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function staffList(prisma: PrismaClient, _p: Parsed, print: Print): Promise<void> {
  const entries = await createStaffService({ store: createPrismaStaffStore(prisma) }).list();
  if (entries.length === 0) print('(the staff allowlist is empty)');
  for (const e of entries) print(`${e.username}\t${e.addedAt.toISOString()}`);
}

/**
 * `keys rotate [--alg RS256|HS256]`: RS256 (the published, asymmetric key) by default; each
 * algorithm rotates on its own, the other's active key is left alone.
 */
async function keysRotate(prisma: PrismaClient, p: Parsed, print: Print): Promise<void> {
  const alg = p.flags.alg ?? SIGNING_ALG;
  if (!isSigningAlg(alg)) throw new UsageError(`--alg must be one of ${SIGNING_ALGS.join(', ')}`);
  const key = await createKeysService({ store: createPrismaKeyStore(prisma) }).rotate(alg);
  print(
    `new active signing key ${key.kid} (${key.alg}); previous ${key.alg} keys keep verifying until their tokens expire`,
  );
}

async function keysList(prisma: PrismaClient, _p: Parsed, print: Print): Promise<void> {
  const keys = await createKeysService({ store: createPrismaKeyStore(prisma) }).verifying();
  if (keys.length === 0) print('(no signing keys yet: the token service creates one at start)');
  for (const k of keys)
    print(
      `${k.kid}\t${k.alg}\t${k.status}${k.retireAfter ? `\tretires after ${k.retireAfter.toISOString()}` : ''}`,
    );
}

type Command = (prisma: PrismaClient, p: Parsed, print: Print) => Promise<void>;

export const COMMANDS: Readonly<Record<string, Command>> = {
  'users create': usersCreate,
  'staff add': staffAdd,
  'staff list': staffList,
  'keys rotate': keysRotate,
  'keys list': keysList,
};
