import type { PrismaClient } from './generated/prisma/client.js';

/** Readiness probe: one round trip to Postgres through the service's own client. */
export async function checkDatabase(prisma: PrismaClient): Promise<void> {
  await prisma.$queryRaw`SELECT 1`;
}
