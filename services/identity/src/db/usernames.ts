import type { Prisma } from '@propusk/db';

/**
 * Accounts whose username equals `lowerName` ignoring case, oldest first (account usernames keep
 * the case they were typed in; Telegram usernames are case-insensitive). Prisma's insensitive
 * `equals` is an ILIKE on Postgres, where `_` — common in Telegram usernames — is a wildcard, so
 * its matches are narrowed to the exact ones here.
 */
export async function accountsNamed(
  db: Pick<Prisma.TransactionClient, 'account'>,
  lowerName: string,
  where: Prisma.AccountWhereInput = {},
): Promise<Array<{ id: string }>> {
  const rows = await db.account.findMany({
    where: { ...where, username: { equals: lowerName, mode: 'insensitive' } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, username: true },
  });
  return rows.filter((row) => row.username?.toLowerCase() === lowerName).map(({ id }) => ({ id }));
}
