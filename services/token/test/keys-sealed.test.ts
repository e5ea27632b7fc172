import t, { type Test } from 'tap';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createPrismaClient, createTestDatabase, migrate, type PrismaClient } from '@propusk/db';
import { createLogger } from '@propusk/kit';
import { jwtVerify, SignJWT, type JWK } from 'jose';
import { createPrismaKeyStore } from '../src/keys/prisma-store.js';
import { resealSigningKeys } from '../src/keys/reseal.js';
import { createKeyRing, type KeyRing } from '../src/keys/ring.js';
import { createSealer, type MasterKey } from '../src/keys/seal.js';
import { createKeysService, newSigningKey } from '../src/keys/service.js';
import { openSigningKeyStore } from '../src/keys/startup.js';
import { silentLog } from './fixtures/fakes.js';

/**
 * Private signing keys sealed in the real Postgres (docs/SECURITY.md, "sealed signing keys"):
 * nothing readable in any table, rows from before sealing sealed at start, and a master key
 * rotated with reseal keeps every key usable.
 */
const MIGRATIONS = fileURLToPath(new URL('../../../packages/db/prisma/migrations', import.meta.url));
const INIT = '20261121114222_init';
const keyA: MasterKey = { id: 'a', key: Buffer.alloc(32, 0xa) };
const keyB: MasterKey = { id: 'b', key: Buffer.alloc(32, 0xb) };
const log = silentLog();

/** JWK members that hold private key material (RFC 7518 §6.3.2 RSA, §6.4.1 oct). */
const PRIVATE_MEMBER = /"(d|p|q|dp|dq|qi|oth|k)"\s*:/;
const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Every row of every table of the schema, as text: what a database dump would show. */
async function everyRowAsText(prisma: PrismaClient): Promise<string[]> {
  const tables = await prisma.$queryRawUnsafe<Array<{ name: string }>>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const rows: string[] = [];
  for (const { name } of tables) {
    const r = await prisma.$queryRawUnsafe<Array<{ row: string }>>(
      `SELECT row_to_json(t)::text AS row FROM "${name}" t`,
    );
    rows.push(...r.map((x) => x.row));
  }
  return rows;
}

/** Signs with the ring's RS256 and HS256 keys and verifies with the same ring. */
async function signsAndVerifies(t: Test, ring: KeyRing): Promise<void> {
  const rs = ring.signing();
  const jwt = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256', kid: rs.kid }).sign(rs.key);
  const verifying = await ring.verifying(rs.kid);
  t.ok(verifying, 'the RS256 key verifies');
  await t.resolves(jwtVerify(jwt, verifying!.key, { algorithms: ['RS256'] }), 'RS256 round trip');
  const hs = ring.hmacSigning();
  const mac = await new SignJWT({ sub: 'x' })
    .setProtectedHeader({ alg: 'HS256', kid: hs.kid })
    .sign(hs.secret);
  const hsVerifying = await ring.hmacVerifying(hs.kid);
  await t.resolves(jwtVerify(mac, hsVerifying!.secret, { algorithms: ['HS256'] }), 'HS256 round trip');
}

function capturingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createLogger({ service: 'test', level: 'info', destination }), lines };
}

async function withPrisma(url: string, t: Test): Promise<PrismaClient> {
  const prisma = createPrismaClient(url);
  t.teardown(() => prisma.$disconnect());
  return prisma;
}

t.test('keys are created sealed: no private key material in any table', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const prisma = await withPrisma(db.url, t);
  const keys = createKeysService({ store: createPrismaKeyStore(prisma, createSealer([keyA])) });
  const ring = await createKeyRing({ keys, log, refreshMs: 60_000 }); // first start: RS256 + HS256
  await keys.rotate('RS256');
  await keys.rotate('HS256');
  const stored = await keys.verifying();
  t.same(stored.map((k) => k.alg).sort(), ['HS256', 'HS256', 'RS256', 'RS256']);

  const rows = await everyRowAsText(prisma);
  const keyRows = rows.filter((r) => r.includes('"sealed_private_key"'));
  t.equal(keyRows.length, 4, 'every signing key row was read');
  for (const row of rows) {
    t.notMatch(row, PRIVATE_MEMBER, 'no private JWK member');
    t.notMatch(row, PEM, 'no PEM private key');
  }
  for (const k of stored) {
    // The secret values themselves, wherever and however they might be stored.
    const secrets = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']
      .map((m) => (k.privateJwk as Record<string, unknown>)[m])
      .filter((v): v is string => typeof v === 'string');
    t.ok(secrets.length > 0, `${k.alg} ${k.kid} has a private part`);
    for (const s of secrets)
      t.notOk(
        rows.some((r) => r.includes(s)),
        `${k.alg}: a secret member is nowhere`,
      );
  }
  for (const r of keyRows) t.match(r, /"sealed_private_key":"v1\.a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"/);
  await signsAndVerifies(t, ring);
});

t.test('a sealed blob moved onto another row does not open', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const prisma = await withPrisma(db.url, t);
  const keys = createKeysService({ store: createPrismaKeyStore(prisma, createSealer([keyA])) });
  const [first, second] = [await keys.rotate('RS256'), await keys.rotate('RS256')];
  const donor = await prisma.signingKey.findUniqueOrThrow({ where: { kid: first.kid } });
  await prisma.signingKey.update({
    where: { kid: second.kid },
    data: { sealedPrivateKey: donor.sealedPrivateKey },
  });
  await t.rejects(keys.verifying(), /does not open/, 'the kid is authenticated data');
});

/** A database as it was before sealing: the init migration only, private JWKs as jsonb. */
async function legacyDatabase(t: Test) {
  const db = await createTestDatabase({ migrate: false });
  t.teardown(() => db.drop());
  const dir = await mkdtemp(path.join(tmpdir(), 'propusk-migrations-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp(path.join(MIGRATIONS, INIT), path.join(dir, INIT), { recursive: true });
  await migrate(db.url, { migrationsDir: dir });
  const legacy = [await newSigningKey(new Date(Date.now() - 3_600_000), 'RS256')];
  legacy.push(await newSigningKey(new Date(Date.now() - 3_600_000), 'HS256'));
  const prisma = createPrismaClient(db.url);
  for (const k of legacy) {
    await prisma.$executeRawUnsafe(
      `INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk, created_at) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)`,
      k.kid,
      k.alg,
      JSON.stringify(k.publicJwk),
      JSON.stringify(k.privateJwk),
      k.createdAt,
    );
  }
  await prisma.$disconnect();
  await migrate(db.url); // the sealing migration: the column becomes text, still in clear
  return { db, legacy };
}

t.test('keys stored before sealing are sealed at start, once, and keep signing', async (t) => {
  const { db, legacy } = await legacyDatabase(t);
  const prisma = await withPrisma(db.url, t);
  const before = await prisma.signingKey.findMany();
  t.ok(
    before.every((r) => r.sealedPrivateKey.startsWith('{')),
    'the migration left them in clear',
  );

  const first = capturingLog();
  const config = { KEYS_ENCRYPTION_KEY: `a:${keyA.key.toString('hex')}`, NODE_ENV: 'production' };
  const store = await openSigningKeyStore({ prisma, config, log: first.log });
  const sealedLines = first.lines.filter((l) => /sealed 2 signing key/.test(String(l.msg)));
  t.equal(sealedLines.length, 1, 'one log line');
  t.same((sealedLines[0]!.kids as string[]).sort(), legacy.map((k) => k.kid).sort(), 'naming the kids');
  t.notMatch(JSON.stringify(first.lines), PRIVATE_MEMBER, 'no key material in the log');

  for (const row of await everyRowAsText(prisma)) t.notMatch(row, PRIVATE_MEMBER);
  const rows = await prisma.signingKey.findMany();
  t.ok(
    rows.every((r) => r.sealedPrivateKey.startsWith('v1.a.')),
    'every row sealed under key a',
  );

  const ring = await createKeyRing({ keys: createKeysService({ store }), log, refreshMs: 60_000 });
  const [rsLegacy, hsLegacy] = legacy as [(typeof legacy)[0], (typeof legacy)[0]];
  t.equal(ring.signing().kid, rsLegacy.kid, 'the RS256 key from before signs on');
  t.equal(ring.hmacSigning().kid, hsLegacy.kid, 'the HS256 key from before signs on');
  t.equal(Buffer.from(ring.hmacSigning().secret).toString('base64url'), (hsLegacy.privateJwk as JWK).k);
  await signsAndVerifies(t, ring);

  const second = capturingLog();
  await openSigningKeyStore({ prisma, config, log: second.log });
  t.same(
    second.lines.filter((l) => /sealed/.test(String(l.msg))),
    [],
    'the next start has nothing to seal and says nothing',
  );
});

t.test('a row in clear is never used as a key', async (t) => {
  const { db } = await legacyDatabase(t);
  const prisma = await withPrisma(db.url, t);
  const keys = createKeysService({ store: createPrismaKeyStore(prisma, createSealer([keyA])) });
  await t.rejects(keys.verifying(), /is not sealed/);
});

t.test('production without KEYS_ENCRYPTION_KEY does not start', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const prisma = await withPrisma(db.url, t);
  await t.rejects(
    openSigningKeyStore({ prisma, config: { NODE_ENV: 'production' }, log }),
    /KEYS_ENCRYPTION_KEY is required in production/,
  );
});

t.test('reseal to a new master key keeps every key usable, retiring ones too', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const prisma = await withPrisma(db.url, t);
  const underA = createKeysService({ store: createPrismaKeyStore(prisma, createSealer([keyA])) });
  await createKeyRing({ keys: underA, log, refreshMs: 60_000 });
  await underA.rotate('RS256');
  await underA.rotate('HS256');
  const kids = (await underA.verifying()).map((k) => k.kid).sort();

  const both = createSealer([keyB, keyA]);
  const newKey = await createKeysService({ store: createPrismaKeyStore(prisma, both) }).rotate('RS256');
  const result = await resealSigningKeys(prisma, both, 'all');
  t.same(result.sealed, []);
  t.same([...result.resealed].sort(), kids, 'every key sealed under a moved; the new one already under b');
  t.notOk(result.resealed.includes(newKey.kid));
  t.same(await resealSigningKeys(prisma, both, 'all'), { sealed: [], resealed: [] }, 'idempotent');

  const rows = await prisma.signingKey.findMany();
  t.ok(
    rows.every((r) => r.sealedPrivateKey.startsWith('v1.b.')),
    'every row under b',
  );
  const onlyB = createKeysService({ store: createPrismaKeyStore(prisma, createSealer([keyB])) });
  const ring = await createKeyRing({ keys: onlyB, log, refreshMs: 60_000, activationDelayMs: 0 });
  for (const k of await onlyB.verifying()) {
    const found = k.alg === 'RS256' ? await ring.verifying(k.kid) : await ring.hmacVerifying(k.kid);
    t.ok(found, `${k.alg} ${k.status} key verifies under b alone`);
  }
  await signsAndVerifies(t, ring);
  const onlyA = createKeysService({ store: createPrismaKeyStore(prisma, createSealer([keyA])) });
  await t.rejects(
    onlyA.verifying(),
    /master key b, which KEYS_ENCRYPTION_KEY lacks/,
    'a is no longer needed',
  );
});
