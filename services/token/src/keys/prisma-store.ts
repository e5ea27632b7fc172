import type { JWK } from 'jose';
import type { PrismaClient } from '@propusk/db';
import type { KeyStore, StoredKey } from './store.js';

export function createPrismaKeyStore(prisma: PrismaClient): KeyStore {
  return {
    async rotateIn(key, retireAfter) {
      // One transaction: there is never a moment with zero or two active keys.
      await prisma.$transaction([
        prisma.signingKey.updateMany({
          where: { status: 'active' },
          data: { status: 'retiring', retireAfter },
        }),
        prisma.signingKey.create({
          data: {
            kid: key.kid,
            alg: key.alg,
            use: 'sig',
            publicJwk: key.publicJwk as object,
            privateJwk: key.privateJwk as object,
            status: 'active',
            createdAt: key.createdAt,
          },
        }),
      ]);
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
