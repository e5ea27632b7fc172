// Document 003's stores against the real Postgres (a fresh database) and Redis (a private key
// prefix, on the shared single server and on a Redis Cluster): the unique index deciding
// duplicates, verified flags, password hashes, and the purpose and grant records with their
// expiry and compare-and-delete.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { createPrismaClient, createTestDatabase } from '@propusk/db';
import { closeRedis, connectRedis, type RedisClient } from '@propusk/kit';
import { deleteKeys, redisReady, redisTargets, scanKeys } from '@propusk/testkit';
import { createPrismaV2AccountStore } from '../src/v2/prisma-store.js';
import {
  createRedisGrantStore,
  createRedisPurposeStore,
  grantKey,
  purposeKey,
} from '../src/v2/redis-store.js';
import { silentLog } from './fixtures/silent-log.js';

const db = await createTestDatabase();
const prisma = createPrismaClient(db.url);
const prefix = `t${randomBytes(5).toString('hex')}:`;
t.teardown(async () => {
  await prisma.$disconnect();
  await db.drop();
});

/** A client under this test's prefix on `url`; its keys are deleted at the end. */
async function prefixedRedis(
  t: { teardown(fn: () => Promise<void>): void },
  url: string,
): Promise<RedisClient> {
  const redis = await redisReady(connectRedis(url, prefix, silentLog));
  const raw = await redisReady(connectRedis(url, '', silentLog)); // SCAN answers full names
  t.teardown(async () => {
    await deleteKeys(raw, await scanKeys(raw, `${prefix}*`));
    await Promise.all([closeRedis(redis), closeRedis(raw)]);
  });
  return redis;
}
const accounts = createPrismaV2AccountStore(prisma);

const PERSON = {
  name: 'Анна',
  surname: 'Смирнова',
  patronymic: null,
  email: 'anna@example.ru',
  phone: '+79161234567',
  passwordHash: '$argon2id$fake',
};

// Started before the first test: awaited later, tap's root could end in between (it ends once
// its queued tests are done), and the Redis tests would then be created too late.
const REDIS_TARGETS = await redisTargets((fn) => t.teardown(fn));

t.test('create: the account with its names and no roles; lookups by e-mail, phone and id', async (t) => {
  const created = await accounts.create(PERSON);
  t.match(created, { email: 'anna@example.ru', phone: '+79161234567', username: null, roles: [] });
  t.notOk('passwordHash' in created, 'no hash in the view');
  t.same(await accounts.findByEmail('anna@example.ru'), created);
  t.same(await accounts.findByPhone('+79161234567'), created);
  t.same(await accounts.findById(created.id), created);
  t.equal(await accounts.findByEmail('nobody@example.ru'), undefined);
  t.match(await prisma.account.findUnique({ where: { id: created.id } }), {
    name: 'Анна',
    surname: 'Смирнова',
    patronymic: null,
    passwordHash: '$argon2id$fake',
  });
});

t.test('create: the unique index refuses a taken e-mail or phone (the race a lookup misses)', async (t) => {
  await t.rejects(accounts.create({ ...PERSON, phone: '+79160000001' }), {
    code: 'email_taken',
    status: 409,
  });
  await t.rejects(accounts.create({ ...PERSON, email: 'other@example.ru' }), {
    code: 'phone_taken',
    status: 409,
  });
  t.equal(await prisma.account.count(), 1);
});

t.test('markVerified: only while the account still holds that value', async (t) => {
  const { id } = (await accounts.findByEmail('anna@example.ru'))!;
  t.equal(await accounts.markVerified(id, 'email', 'someone@example.ru'), false);
  t.equal(await accounts.markVerified(id, 'phone', '+79160000002'), false);
  t.match(await prisma.account.findUnique({ where: { id } }), { emailVerified: false, phoneVerified: false });
  t.equal(await accounts.markVerified(id, 'phone', '+79161234567'), true);
  t.match(await prisma.account.findUnique({ where: { id } }), { emailVerified: false, phoneVerified: true });
  t.equal(await accounts.markVerified(id, 'email', 'anna@example.ru'), true);
  t.match(await prisma.account.findUnique({ where: { id } }), { emailVerified: true });
});

t.test('the verified flags are read with the account', async (t) => {
  const { id } = (await accounts.findByEmail('anna@example.ru'))!;
  t.match(await accounts.findById(id), { emailVerified: true, phoneVerified: true });
});

t.test('setPasswordHash: replaces the hash; false for an account that is gone', async (t) => {
  const { id } = (await accounts.findByEmail('anna@example.ru'))!;
  t.equal(await accounts.setPasswordHash(id, '$argon2id$new'), true);
  t.equal((await prisma.account.findUnique({ where: { id } }))?.passwordHash, '$argon2id$new');
  t.equal(await accounts.setPasswordHash('11111111-1111-4111-8111-111111111111', 'x'), false);
});

for (const target of REDIS_TARGETS) {
  t.test(`document 003's Redis records (${target.name})`, async (t) => {
    const redis = await prefixedRedis(t, target.url);

    t.test('purposes: kept with their TTL; dropped only while they still name that purpose', async (t) => {
      const purposes = createRedisPurposeStore(redis);
      await purposes.put('+79161234567', 'v2-login', 600);
      t.equal(await purposes.get('+79161234567'), 'v2-login');
      const ttl = await redis.ttl(purposeKey('+79161234567'));
      t.ok(ttl > 590 && ttl <= 600, `ttl ${ttl}`);
      t.notMatch(purposeKey('+79161234567'), /7916/, 'no phone number in the key');
      await purposes.put('+79161234567', 'v2-recovery', 600);
      await purposes.drop('+79161234567', 'v2-login');
      t.equal(await purposes.get('+79161234567'), 'v2-recovery', 'a newer purpose survives');
      await purposes.drop('+79161234567', 'v2-recovery');
      t.equal(await purposes.get('+79161234567'), undefined);
      await redis.set(purposeKey('x@example.ru'), 'not-a-purpose');
      t.equal(await purposes.get('x@example.ru'), undefined, 'garbage is no purpose');
    });

    t.test('grants: by token id, expiring, deleted on use', async (t) => {
      const grants = createRedisGrantStore(redis);
      await grants.put('tid-1', 'acc-1', 900);
      t.equal(await grants.get('tid-1'), 'acc-1');
      const ttl = await redis.ttl(grantKey('tid-1'));
      t.ok(ttl > 890 && ttl <= 900, `ttl ${ttl}`);
      t.equal(await grants.get('tid-2'), undefined);
      await grants.drop('tid-1');
      t.equal(await grants.get('tid-1'), undefined);
    });

    t.test('no script or command answered CROSSSLOT', async (t) => {
      t.equal(await target.crossSlotErrors(), 0);
    });
  });
}
