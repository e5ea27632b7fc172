/** Generates the Prisma client when stale; true when it ran prisma generate. */
export function ensureGenerated(options?: { force?: boolean }): boolean;
