import type { JWK } from 'jose';
import type { Prisma, PrismaClient } from '@propusk/db';
import type { KeyStore, NewKey, StoredKey } from './store.js';

/**
 * Serialises every change of one algorithm's active key across processes: a transaction-scoped
 * Postgres advisory lock (released at commit or rollback), keyed by the algorithm. Without it
 * two replicas starting together (or two concurrent rotations) could each see "no active key"
 * under READ COMMITTED and leave two active keys behind.
 */
async function lockAlg(tx: Prisma.TransactionClient, alg: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`propusk:signing_keys:${alg}`}))`;
}

function createRow(tx: Prisma.TransactionClient, key: NewKey) {
  return tx.signingKey.create({
    data: {
      kid: key.kid,
      alg: key.alg,
      use: 'sig',
      publicJwk: key.publicJwk as object,
      privateJwk: key.privateJwk as object,
      status: 'active',
      createdAt: key.createdAt,
    },
  });
}

export function createPrismaKeyStore(prisma: PrismaClient): KeyStore {
  return {
    async rotateIn(key, retireAfter) {
      // One transaction: there is never a moment with zero or two active keys of one algorithm.
      await prisma.$transaction(async (tx) => {
        await lockAlg(tx, key.alg);
        await tx.signingKey.updateMany({
          where: { status: 'active', alg: key.alg },
          data: { status: 'retiring', retireAfter },
        });
        await createRow(tx, key);
      });
    },
    async addIfNoActive(key) {
      return prisma.$transaction(async (tx) => {
        await lockAlg(tx, key.alg);
        if ((await tx.signingKey.count({ where: { status: 'active', alg: key.alg } })) > 0) return false;
        await createRow(tx, key);
        return true;
      });
    },
    async listVerifying() {
      const rows = await prisma.signingKey.findMany({
        where: { status: { in: ['active', 'retiring'] } },
        orderBy: { createdAt: 'desc' },
      });
      return rows.map((r): StoredKey => ({
        kid: r.kid,
        alg: r.alg,
        publicJwk: r.publicJwk as JWK,
        privateJwk: r.privateJwk as JWK,
        status: r.status,
        createdAt: r.createdAt,
        retireAfter: r.retireAfter,
      }));
    },
    async retireExpired(now) {
      const r = await prisma.signingKey.updateMany({
        where: { status: 'retiring', retireAfter: { lte: now } },
        data: { status: 'retired', retiredAt: now },
      });
      return r.count;
    },
  };
}
