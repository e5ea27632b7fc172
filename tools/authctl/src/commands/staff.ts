import type { PrismaClient } from '@propusk/db';
import { createPrismaStaffStore, createStaffService } from '@propusk/identity/domain';
import { UsageError, type Parsed } from '../args.js';
import type { Print } from './catalog.js';

export async function staffAdd(prisma: PrismaClient, p: Parsed, print: Print): Promise<void> {
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

export async function staffList(prisma: PrismaClient, _p: Parsed, print: Print): Promise<void> {
  const entries = await createStaffService({ store: createPrismaStaffStore(prisma) }).list();
  if (entries.length === 0) print('(the staff allowlist is empty)');
  for (const e of entries) print(`${e.username}\t${e.addedAt.toISOString()}`);
}
