import type { PrismaClient } from '@propusk/db';
import { guardOutage } from '../db/outage.js';
import { accountStoreUnavailable } from '../accounts/errors.js';
import { takenContact } from '../accounts/prisma-store.js';
import type { NewPerson, V2Account, V2AccountStore } from './store.js';

const SELECT = {
  id: true,
  username: true,
  email: true,
  phone: true,
  emailVerified: true,
  phoneVerified: true,
  roles: true,
} as const;

/** Runs a query; an outage becomes `unavailable` (503), anything else stays as it is (a bug to log). */
function guarded<T>(query: () => Promise<T>): Promise<T> {
  return guardOutage(query, accountStoreUnavailable);
}

export function createPrismaV2AccountStore(prisma: PrismaClient): V2AccountStore {
  const findOne = async (where: { email: string } | { phone: string } | { id: string }) =>
    (await guarded(() => prisma.account.findUnique({ where, select: SELECT }))) ?? undefined;

  return {
    findByEmail: (email) => findOne({ email }),
    findByPhone: (phone) => findOne({ phone }),
    findById: (id) => findOne({ id }),

    async create(person: NewPerson): Promise<V2Account> {
      try {
        return await guarded(() => prisma.account.create({ data: { ...person, roles: [] }, select: SELECT }));
      } catch (err) {
        // The unique index decides a race between two registrations: email_taken / phone_taken.
        throw takenContact(err) ?? err;
      }
    },

    async markVerified(accountId, kind, value) {
      const { count } = await guarded(() =>
        kind === 'email'
          ? prisma.account.updateMany({
              where: { id: accountId, email: value },
              data: { emailVerified: true },
            })
          : prisma.account.updateMany({
              where: { id: accountId, phone: value },
              data: { phoneVerified: true },
            }),
      );
      return count === 1;
    },

    async setPasswordHash(accountId, passwordHash) {
      const { count } = await guarded(() =>
        prisma.account.updateMany({ where: { id: accountId }, data: { passwordHash } }),
      );
      return count === 1;
    },
  };
}
