import type { PrismaClient } from '@propusk/db';
import { isOutage, isUniqueViolation } from '../db/outage.js';
import { accountsNamed } from '../db/usernames.js';
import { accountStoreUnavailable } from '../accounts/errors.js';
import { usernameKeys } from '../accounts/username.js';
import { alreadyRegistered } from './errors.js';
import type { NewStaffAccount, RegistrationAccountStore } from './store.js';

/** Marks the transaction's own refusal, so it is told apart from Prisma's errors after the rollback. */
class Refused extends Error {}

export function createPrismaRegistrationStore(prisma: PrismaClient): RegistrationAccountStore {
  return {
    async usernameTaken(telegramUsername) {
      try {
        return (await accountsNamed(prisma, telegramUsername)).length > 0;
      } catch (err) {
        if (isOutage(err)) throw accountStoreUnavailable();
        throw err;
      }
    },

    async createStaff({ username, passwordHash, telegramUsername }: NewStaffAccount) {
      try {
        return await prisma.$transaction(async (tx) => {
          const account = await tx.account.create({
            // The username keys (accounts/username.ts): a name another account holds in another
            // case, width or look-alike spelling violates their unique indexes: already_registered.
            data: { username, ...usernameKeys(username), passwordHash, roles: ['staff'] },
            select: { id: true },
          });
          // Another spelling of the same name registered meanwhile (the unique index is case-sensitive).
          const namesakes = await accountsNamed(tx, telegramUsername, { id: { not: account.id } });
          if (namesakes.length > 0) throw new Refused();
          // Linking only an unlinked chat: of two concurrent registrations, the second waits for the
          // first's row lock, then finds the chat linked and rolls back.
          const linked = await tx.telegramChat.updateMany({
            where: { telegramUsername, accountId: null },
            data: { accountId: account.id },
          });
          if (linked.count !== 1) throw new Refused();
          return account;
        });
      } catch (err) {
        if (err instanceof Refused || isUniqueViolation(err)) throw alreadyRegistered();
        if (isOutage(err)) throw accountStoreUnavailable();
        throw err;
      }
    },
  };
}
