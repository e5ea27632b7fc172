import type { JWK } from 'jose';
import type { Prisma, PrismaClient } from '@propusk/db';
import { signingKeyAad, type Sealer } from './seal.js';
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

/** The private JWK as stored: sealed to its own row (seal.ts), never in clear. */
export function sealPrivateJwk(sealer: Sealer, kid: string, jwk: JWK): string {
  return sealer.seal(JSON.stringify(jwk), signingKeyAad(kid));
}

/**
 * The private JWK of a row. A row still in clear (stored before sealing, not yet sealed by
 * reseal.ts) is refused rather than used: only what our master key sealed can sign, so a
 * key written into the table by someone without that key is never trusted.
 */
export function openPrivateJwk(sealer: Sealer, kid: string, stored: string): JWK {
  if (sealer.sealedUnder(stored) === undefined) {
    throw new Error(
      `signing key ${kid} is not sealed: start the token service or run \`authctl keys reseal\` to seal it`,
    );
  }
  return JSON.parse(sealer.open(stored, signingKeyAad(kid))) as JWK;
}

function createRow(tx: Prisma.TransactionClient, sealer: Sealer, key: NewKey) {
  return tx.signingKey.create({
    data: {
      kid: key.kid,
      alg: key.alg,
      use: 'sig',
      publicJwk: key.publicJwk as object,
      sealedPrivateKey: sealPrivateJwk(sealer, key.kid, key.privateJwk),
      status: 'active',
      createdAt: key.createdAt,
    },
  });
}

/** Signing keys in Postgres; private parts are sealed on the way in and opened on the way out. */
export function createPrismaKeyStore(prisma: PrismaClient, sealer: Sealer): KeyStore {
  return {
    async rotateIn(key, retireAfter) {
      // One transaction: there is never a moment with zero or two active keys of one algorithm.
      await prisma.$transaction(async (tx) => {
        await lockAlg(tx, key.alg);
        await tx.signingKey.updateMany({
          where: { status: 'active', alg: key.alg },
          data: { status: 'retiring', retireAfter },
        });
        await createRow(tx, sealer, key);
      });
    },
    async addIfNoActive(key) {
      return prisma.$transaction(async (tx) => {
        await lockAlg(tx, key.alg);
        if ((await tx.signingKey.count({ where: { status: 'active', alg: key.alg } })) > 0) return false;
        await createRow(tx, sealer, key);
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
        privateJwk: openPrivateJwk(sealer, r.kid, r.sealedPrivateKey),
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
