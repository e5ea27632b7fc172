import { createPrismaClient, type Role } from '@propusk/db';
import {
  createAccountsService,
  createPasswordHasher,
  createPrismaAccountStore,
} from '@propusk/identity/domain';

export interface NewUser {
  username: string;
  password: string;
  roles?: Role[];
}

/**
 * Creates accounts directly in a booted suite's database through the identity domain (as
 * `authctl users create` does), then disconnects.
 */
export async function createUsers(databaseUrl: string, users: readonly NewUser[]): Promise<void> {
  const prisma = createPrismaClient(databaseUrl);
  try {
    const accounts = createAccountsService({
      store: createPrismaAccountStore(prisma),
      hasher: await createPasswordHasher(),
    });
    for (const u of users)
      await accounts.create({ username: u.username, password: u.password, roles: u.roles ?? [] });
  } finally {
    await prisma.$disconnect();
  }
}
