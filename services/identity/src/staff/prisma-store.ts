import type { PrismaClient } from '@propusk/db';
import { guardOutage } from '../db/outage.js';
import { staffStoreUnavailable } from './errors.js';
import type { StaffStore } from './store.js';

export function createPrismaStaffStore(prisma: PrismaClient): StaffStore {
  return {
    async add(username, addedBy) {
      const row = await prisma.staffAllowlistEntry.upsert({
        where: { telegramUsername: username },
        create: { telegramUsername: username, addedBy: addedBy ?? null },
        update: {},
      });
      return { username: row.telegramUsername, addedAt: row.addedAt };
    },
    async list() {
      const rows = await prisma.staffAllowlistEntry.findMany({ orderBy: { telegramUsername: 'asc' } });
      return rows.map((r) => ({ username: r.telegramUsername, addedAt: r.addedAt }));
    },
    async has(username) {
      const count = await guardOutage(
        () => prisma.staffAllowlistEntry.count({ where: { telegramUsername: username } }),
        staffStoreUnavailable,
      );
      return count > 0;
    },
  };
}
