import t from 'tap';
import { createPrismaClient, createTestDatabase } from '@propusk/db';
import { createPrismaKeyStore } from '../src/keys/prisma-store.js';
import { createSealer } from '../src/keys/seal.js';
import { createKeyRing } from '../src/keys/ring.js';
import { createKeysService } from '../src/keys/service.js';
import { silentLog } from './fixtures/fakes.js';

/**
 * Signing keys in the real Postgres (a fresh database): HS256 next to RS256, the first-start
 * race between replicas, rotation scoped per algorithm, and a JWKS that never holds HMAC keys.
 */
const log = silentLog();
const sealer = createSealer([{ id: 'test', key: Buffer.alloc(32, 7) }]);

t.test('signing keys in Postgres', async (t) => {
  const db = await createTestDatabase();
  // One client per "replica": separate connection pools, as separate processes have.
  const clients = [createPrismaClient(db.url), createPrismaClient(db.url), createPrismaClient(db.url)];
  t.teardown(async () => {
    await Promise.all(clients.map((c) => c.$disconnect()));
    await db.drop();
  });
  const [prisma] = clients as [ReturnType<typeof createPrismaClient>];
  const services = clients.map((c) => createKeysService({ store: createPrismaKeyStore(c, sealer) }));
  const activeRows = (alg: string) => prisma.signingKey.findMany({ where: { alg, status: 'active' } });

  t.test('replicas starting together end with one active key per algorithm', async (t) => {
    // HS256 keys are made in microseconds: the replicas' check-then-create really overlaps.
    const first = await Promise.all(
      services.flatMap((s) => [s.ensureActive('HS256'), s.ensureActive('HS256'), s.ensureActive('HS256')]),
    );
    t.equal(new Set(first.map((k) => k.kid)).size, 1, 'every caller got the one key');
    const rings = await Promise.all(services.map((keys) => createKeyRing({ keys, log, refreshMs: 60_000 })));
    t.equal((await activeRows('HS256')).length, 1, 'one active HS256 key');
    t.equal((await activeRows('RS256')).length, 1, 'one active RS256 key');
    t.equal(await prisma.signingKey.count(), 2, 'the losers created nothing');
    t.equal(
      new Set(rings.map((r) => r.hmacSigning().kid)).size,
      1,
      'every replica signs HS256 with the same key',
    );
    t.equal(new Set(rings.map((r) => r.signing().kid)).size, 1);
    const again = await Promise.all(
      services.flatMap((s) => [s.ensureActive('HS256'), s.ensureActive('HS256')]),
    );
    t.equal(new Set(again.map((k) => k.kid)).size, 1);
  });

  t.test('the HS256 row: the secret only in the sealed private part', async (t) => {
    const [row] = await activeRows('HS256');
    t.strictSame(row!.publicJwk, { kty: 'oct', kid: row!.kid, alg: 'HS256' });
    t.match(row!.sealedPrivateKey, /^v1\.test\./, 'sealed under the master key');
    const stored = (await services[0]!.verifying()).find((k) => k.kid === row!.kid);
    const priv = stored!.privateJwk as { kty: string; k: string };
    t.strictSame(Object.keys(priv).sort(), ['k', 'kty']);
    t.equal(priv.kty, 'oct');
    t.equal(Buffer.from(priv.k, 'base64url').length, 32);
  });

  t.test('rotation is per algorithm, also when rotations race', async (t) => {
    const [hsBefore] = await activeRows('HS256');
    const [rsBefore] = await activeRows('RS256');
    await Promise.all(services.map((s) => s.rotate('RS256')));
    t.equal((await activeRows('RS256')).length, 1, 'concurrent RS256 rotations: still one active');
    t.strictSame(
      (await activeRows('HS256')).map((k) => k.kid),
      [hsBefore!.kid],
      'HS256 untouched',
    );
    await Promise.all(services.map((s) => s.rotate('HS256')));
    t.equal((await activeRows('HS256')).length, 1, 'concurrent HS256 rotations: still one active');
    const rsNow = await activeRows('RS256');
    t.not(rsNow[0]!.kid, rsBefore!.kid);
    await services[0]!.rotate('HS256');
    t.strictSame(
      (await activeRows('RS256')).map((k) => k.kid),
      rsNow.map((k) => k.kid),
      'RS256 untouched',
    );
    const old = await prisma.signingKey.findUnique({ where: { kid: hsBefore!.kid } });
    t.equal(old?.status, 'retiring');
  });

  t.test('the ring: HMAC keys verify by kid but never appear in the JWKS', async (t) => {
    const ring = await createKeyRing({ keys: services[0]!, log, refreshMs: 60_000 });
    const rows = await prisma.signingKey.findMany({ where: { status: { in: ['active', 'retiring'] } } });
    const rs = rows.filter((r) => r.alg === 'RS256');
    const hs = rows.filter((r) => r.alg === 'HS256');
    t.ok(hs.length >= 2 && rs.length >= 2);
    const jwks = ring.publicJwks();
    t.strictSame(jwks.map((k) => k.kid).sort(), rs.map((r) => r.kid).sort(), 'exactly the RS256 keys');
    for (const k of jwks) {
      t.equal(k.kty, 'RSA');
      t.strictSame(Object.keys(k).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    }
    t.notMatch(JSON.stringify(jwks), /"oct"|"k":/, 'no symmetric key, no secret');
    for (const h of hs) {
      t.equal((await ring.hmacVerifying(h.kid))?.kid, h.kid, 'active and retiring HS256 keys verify');
      t.equal(await ring.verifying(h.kid), undefined, 'an HS256 kid is no asymmetric key');
    }
    for (const r of rs) t.equal(await ring.hmacVerifying(r.kid), undefined, 'an RS256 kid is no HMAC key');
  });
});
