// The generated client through @prisma/adapter-pg against a migrated database.
import t from 'tap';
import { db } from './fixtures/db.js';

const { createPrismaClient, createTestDatabase, Prisma, Provider, Role, KeyStatus } = db;

const database = await createTestDatabase();
const prisma = createPrismaClient(database.url);
t.teardown(async () => {
  await prisma.$disconnect();
  await database.drop();
});

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

t.test('an account with roles and a federated identity', async (t) => {
  const account = await prisma.account.create({
    data: {
      username: 'Ivan',
      email: 'ivan@example.ru',
      phone: '+79001234567',
      surname: 'Petrov',
      passwordHash: '$argon2id$stand-in',
      roles: [Role.admin, Role.staff],
      federatedIdentities: { create: { provider: Provider.vk, subject: '12345', email: 'ivan@vk.example' } },
    },
    include: { federatedIdentities: true },
  });
  t.match(account.id, /^[0-9a-f-]{36}$/, 'database generated the uuid');
  t.same(account.roles, ['admin', 'staff']);
  t.equal(account.emailVerified, false);
  t.equal(account.name, null);
  t.ok(account.createdAt instanceof Date);
  t.equal(account.federatedIdentities.length, 1);
  t.match(account.federatedIdentities[0], { provider: 'vk', subject: '12345', accountId: account.id });

  const found = await prisma.account.findFirst({ where: { roles: { has: Role.admin } } });
  t.equal(found?.id, account.id, 'array filter works through the adapter');
});

t.test('unique violations surface as P2002', async (t) => {
  await prisma.account.create({ data: { email: 'dup@example.ru' } });
  const emailClash = await prisma.account
    .create({ data: { email: 'dup@example.ru' } })
    .catch((e: unknown) => e);
  t.ok(isUniqueViolation(emailClash), 'duplicate e-mail');

  const owner = await prisma.account.create({ data: { username: 'owner' } });
  const identity = { provider: Provider.yandex, subject: 'y-1', accountId: owner.id };
  await prisma.federatedIdentity.create({ data: identity });
  const identityClash = await prisma.federatedIdentity.create({ data: identity }).catch((e: unknown) => e);
  t.ok(isUniqueViolation(identityClash), 'duplicate (provider, subject)');

  const differentCase = await prisma.account.create({ data: { username: 'OWNER' } });
  t.ok(differentCase.id, 'usernames are case-sensitive');
});

t.test('telegram chats: recorded before the account, linked after, unlinked on delete', async (t) => {
  const chatId = 5_123_456_789n; // beyond 32 bits: Telegram ids need BigInt
  await prisma.staffAllowlistEntry.create({ data: { telegramUsername: 'boss', addedBy: 'cli' } });
  const chat = await prisma.telegramChat.create({ data: { telegramUsername: 'boss', chatId } });
  t.equal(chat.chatId, chatId);
  t.equal(chat.accountId, null);

  const account = await prisma.account.create({
    data: { username: 'boss', telegramChat: { connect: { telegramUsername: 'boss' } } },
    include: { telegramChat: true },
  });
  t.equal(account.telegramChat?.chatId, chatId);

  const second = await prisma.account.create({ data: { username: 'other' } });
  const clash = await prisma.telegramChat
    .create({ data: { telegramUsername: 'other', chatId: 1n, accountId: account.id } })
    .catch((e: unknown) => e);
  t.ok(isUniqueViolation(clash), 'one chat per account');

  await prisma.account.delete({ where: { id: account.id } });
  const kept = await prisma.telegramChat.findUnique({ where: { telegramUsername: 'boss' } });
  t.equal(kept?.accountId, null, 'chat survives its account, unlinked');
  t.ok(second.id);
});

t.test('deleting an account deletes its federated identities', async (t) => {
  const account = await prisma.account.create({
    data: { federatedIdentities: { create: { provider: Provider.mailru, subject: 'm-1' } } },
  });
  await prisma.account.delete({ where: { id: account.id } });
  t.equal(await prisma.federatedIdentity.count({ where: { subject: 'm-1' } }), 0);
});

t.test('signing keys keep the public JWK as JSON and the sealed private key as text', async (t) => {
  const publicJwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' };
  await prisma.signingKey.create({
    data: { kid: 'k1', alg: 'ES256', publicJwk, sealedPrivateKey: 'v1.opaque' },
  });
  const key = await prisma.signingKey.findUniqueOrThrow({ where: { kid: 'k1' } });
  t.same(key.publicJwk, publicJwk);
  t.equal(key.sealedPrivateKey, 'v1.opaque');
  t.equal(key.use, 'sig');
  t.equal(key.status, KeyStatus.active);
  t.equal(key.retireAfter, null);
});
