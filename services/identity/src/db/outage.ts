import { Prisma } from '@propusk/db';

/**
 * Prisma's P1000–P1017 codes are the database being unreachable, missing or timing out, and P2024 a
 * pool timeout (https://www.prisma.io/docs/orm/reference/error-reference): an outage, not a bug.
 */
export function isOutage(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  return (
    err instanceof Prisma.PrismaClientKnownRequestError && (err.code.startsWith('P1') || err.code === 'P2024')
  );
}

/** A unique constraint was violated (P2002): the row it would write exists already. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/**
 * Runs a query; an outage becomes the error `unavailable` makes (so callers answer 503 and can
 * tell an outage from a bug), anything else stays as it is.
 */
export async function guardOutage<T>(query: () => Promise<T>, unavailable: () => Error): Promise<T> {
  try {
    return await query();
  } catch (err) {
    if (isOutage(err)) throw unavailable();
    throw err;
  }
}
