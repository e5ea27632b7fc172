import type { Prisma, PrismaClient } from '@propusk/db';
import { guardOutage, isOutage, isUniqueViolation } from '../db/outage.js';
import { accountStoreUnavailable } from '../accounts/errors.js';
import { takenContact } from '../accounts/prisma-store.js';
import { federatedIdentityExists } from './errors.js';
import type { FederatedIdentityStore, NewFederatedAccount } from './store.js';

const ACCOUNT = {
  id: true,
  username: true,
  email: true,
  phone: true,
  roles: true,
  passwordHash: true,
} as const;

/** A unique violation of (provider, subject): Postgres names the index `federated_identities_provider_subject_key`. */
function identityTaken(err: unknown): boolean {
  return (
    isUniqueViolation(err) &&
    JSON.stringify((err as Prisma.PrismaClientKnownRequestError).meta ?? {}).includes('federated_identities')
  );
}

export function createPrismaFederatedIdentityStore(prisma: PrismaClient): FederatedIdentityStore {
  const store: FederatedIdentityStore = {
    async accountOf(provider, subject) {
      const identity = await guardOutage(
        () =>
          prisma.federatedIdentity.findUnique({
            where: { provider_subject: { provider, subject } },
            select: { account: { select: ACCOUNT } },
          }),
        accountStoreUnavailable,
      );
      return identity?.account;
    },

    async linkOf(provider, subject) {
      const identity = await guardOutage(
        () =>
          prisma.federatedIdentity.findUnique({
            where: { provider_subject: { provider, subject } },
            select: {
              email: true,
              emailVerified: true,
              account: { select: { ...ACCOUNT, emailVerified: true } },
            },
          }),
        accountStoreUnavailable,
      );
      if (!identity) return undefined;
      const { emailVerified: accountEmailVerified, ...account } = identity.account;
      return { account, accountEmailVerified, email: identity.email, emailVerified: identity.emailVerified };
    },

    async createAccount(account: NewFederatedAccount) {
      const emailVerified = account.emailVerified === true;
      try {
        return await prisma.$transaction(async (tx) => {
          const created = await tx.account.create({
            data: {
              email: account.email ?? null,
              phone: account.phone ?? null,
              name: account.name ?? null,
              surname: account.surname ?? null,
              // Proven only when the provider vouched for the e-mail (a mailbox it hosts); the
              // phone no provider vouches for: verifying it is another step.
              emailVerified,
              phoneVerified: false,
              roles: [],
            },
            select: ACCOUNT,
          });
          await tx.federatedIdentity.create({
            data: {
              provider: account.provider,
              subject: account.subject,
              accountId: created.id,
              email: account.providerEmail ?? null,
              emailVerified,
            },
          });
          return created;
        });
      } catch (err) {
        if (identityTaken(err)) throw federatedIdentityExists();
        if (isOutage(err)) throw accountStoreUnavailable();
        const taken = takenContact(err);
        if (!taken) throw err;
        // The account row is written first, so a double submit of one registration loses on its
        // e-mail before it reaches (provider, subject): the winner is this very provider account.
        if (await store.accountOf(account.provider, account.subject)) throw federatedIdentityExists();
        throw taken;
      }
    },
  };
  return store;
}
