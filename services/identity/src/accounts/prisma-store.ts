import type { PropuskError } from '@propusk/contracts';
import { Prisma, type PrismaClient } from '@propusk/db';
import { guardOutage, isOutage, isUniqueViolation } from '../db/outage.js';
import { AccountsError, accountStoreUnavailable, emailTaken, phoneTaken } from './errors.js';
import type { AccountRecord, AccountStore, ContactAccountStore, NewAccount } from './store.js';
import { normaliseUsername } from './username.js';

const SELECT = {
  id: true,
  username: true,
  email: true,
  phone: true,
  roles: true,
  passwordHash: true,
} as const;

/** Which unique field a P2002 violation names (Prisma puts the fields in `meta.target`). */
function duplicateField(err: Prisma.PrismaClientKnownRequestError): string {
  const target = JSON.stringify(err.meta ?? {});
  for (const field of ['username', 'email', 'phone']) if (target.includes(field)) return field;
  return 'account';
}

/**
 * The refusal of a taken username. The unique indexes on the normalised form and the skeleton
 * answer it too (`Alice`, `аlice` after `alice`): the same "taken", so that every document keeps
 * its one answer; the operator (authctl) also reads which kind of likeness it was.
 */
function usernameTaken(err: Prisma.PrismaClientKnownRequestError): AccountsError {
  const target = JSON.stringify(err.meta ?? {});
  const likeness = target.includes('skeleton')
    ? ' (one that looks the same: a Unicode TR39 confusable)'
    : target.includes('normalised')
      ? ' (the same name in another case or width)'
      : '';
  return new AccountsError(
    'duplicate',
    `an account with this username already exists${likeness}`,
    'username',
  );
}

/** Runs a read; an outage becomes `unavailable`, anything else stays as it is (a bug to log). */
async function read<T>(query: () => Promise<T | null>): Promise<T | undefined> {
  return (await guardOutage(query, accountStoreUnavailable)) ?? undefined;
}

export function createPrismaAccountStore(prisma: PrismaClient): AccountStore {
  return {
    async create(account: NewAccount): Promise<AccountRecord> {
      try {
        return await prisma.account.create({ data: account, select: SELECT });
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          if (duplicateField(err) === 'username') throw usernameTaken(err);
          throw new AccountsError(
            'duplicate',
            `an account with this ${duplicateField(err)} already exists`,
            duplicateField(err),
          );
        }
        throw err;
      }
    },
    findByUsername: (typed) =>
      read(async () => {
        // Both columns are unique: at most two rows, the exact one first (store.ts).
        const rows = await prisma.account.findMany({
          where: { OR: [{ username: typed }, { usernameNormalised: normaliseUsername(typed) }] },
          select: SELECT,
          take: 2,
        });
        return rows.find((row) => row.username === typed) ?? rows[0] ?? null;
      }),
    findByEmail: (email) => read(() => prisma.account.findUnique({ where: { email }, select: SELECT })),
    findByPhone: (phone) => read(() => prisma.account.findUnique({ where: { phone }, select: SELECT })),
    findById: (id) => read(() => prisma.account.findUnique({ where: { id }, select: SELECT })),
  };
}

/**
 * The refusal for a unique violation on an account's e-mail or phone (Postgres names the index,
 * `accounts_email_key` / `accounts_phone_key`); undefined for any other error.
 */
export function takenContact(err: unknown): PropuskError | undefined {
  if (!isUniqueViolation(err)) return undefined;
  const field = duplicateField(err as Prisma.PrismaClientKnownRequestError);
  if (field === 'email') return emailTaken();
  if (field === 'phone') return phoneTaken();
  return undefined;
}

export function createPrismaContactAccountStore(prisma: PrismaClient): ContactAccountStore {
  return {
    findByEmail: (email) => read(() => prisma.account.findUnique({ where: { email }, select: SELECT })),
    findByPhone: (phone) => read(() => prisma.account.findUnique({ where: { phone }, select: SELECT })),
    async createWithContacts(account) {
      try {
        return await prisma.account.create({ data: account, select: SELECT });
      } catch (err) {
        if (isOutage(err)) throw accountStoreUnavailable();
        throw takenContact(err) ?? err;
      }
    },
  };
}
