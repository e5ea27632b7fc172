// Document 002's Prisma stores against the real Postgres (a fresh database): the unique indexes
// decide races (stale lookups lose with the right refusal, and nothing half-made remains), and
// an unreachable database is `unavailable`.
import t from 'tap';
import { createPrismaClient, createTestDatabase } from '@propusk/db';
import { createPrismaContactAccountStore } from '../src/accounts/prisma-store.js';
import { createPrismaFederatedIdentityStore } from '../src/federated/prisma-store.js';
import { createFederatedSignIn } from '../src/federated/flow.js';
import { createAuthorizationFlow } from '../src/profiles/authorization/flow.js';
import type { LoginFlow } from '../src/login/flow.js';
import { fakeAuthorizationTokens } from './fixtures/authorization-tokens.js';

const db = await createTestDatabase();
const prisma = createPrismaClient(db.url);
t.teardown(async () => {
  await prisma.$disconnect();
  await db.drop();
});
const contacts = createPrismaContactAccountStore(prisma);
const identities = createPrismaFederatedIdentityStore(prisma);

const held = await contacts.createWithContacts({
  email: 'held@example.org',
  phone: '+79001110000',
  passwordHash: 'x',
  roles: [],
});

t.test('createWithContacts: a held e-mail or phone is email_taken / phone_taken (409)', async (t) => {
  t.match(held, { email: 'held@example.org', phone: '+79001110000', roles: [], username: null });
  await t.rejects(
    contacts.createWithContacts({ email: 'held@example.org', phone: '+79001110001', roles: [] }),
    {
      code: 'email_taken',
      status: 409,
    },
  );
  await t.rejects(
    contacts.createWithContacts({ email: 'other@example.org', phone: '+79001110000', roles: [] }),
    {
      code: 'phone_taken',
      status: 409,
    },
  );
  t.equal(await prisma.account.count(), 1);
  t.same(await contacts.findByEmail('held@example.org'), held);
  t.same(await contacts.findByPhone('+79001110000'), held);
  t.equal(await contacts.findByEmail('nobody@example.org'), undefined);
});

t.test('registration whose lookups raced another: the unique index answers, no tokens', async (t) => {
  const tokens = fakeAuthorizationTokens();
  const stale = { ...contacts, findByEmail: async () => undefined, findByPhone: async () => undefined };
  const flow = createAuthorizationFlow({
    accounts: stale,
    hasher: { hash: async (p) => `hash:${p}` },
    login: {} as LoginFlow,
    tokens,
  });
  const password = 'correct horse 42';
  await t.rejects(flow.register({ email: 'held@example.org', phone: '+79001110002', password }), {
    code: 'email_taken',
  });
  await t.rejects(flow.register({ email: 'free@example.org', phone: '+79001110000', password }), {
    code: 'phone_taken',
  });
  t.same(tokens.requests, []);
  t.equal(await prisma.account.count(), 1);
});

t.test('federated createAccount: account and identity in one transaction', async (t) => {
  const account = await identities.createAccount({
    provider: 'vk',
    subject: '5001',
    email: 'fed@example.org',
    phone: '+79002220000',
    name: 'Иван',
    surname: 'Петров',
    providerEmail: 'Fed@Example.org',
  });
  const row = await prisma.account.findUnique({
    where: { id: account.id },
    include: { federatedIdentities: true },
  });
  t.match(row, {
    email: 'fed@example.org',
    emailVerified: false,
    phone: '+79002220000',
    phoneVerified: false,
    name: 'Иван',
    surname: 'Петров',
    passwordHash: null,
    roles: [],
  });
  t.match(row?.federatedIdentities, [{ provider: 'vk', subject: '5001', email: 'Fed@Example.org' }]);
  t.same(await identities.accountOf('vk', '5001'), account);
  t.equal(await identities.accountOf('yandex', '5001'), undefined, 'the provider is part of the key');
});

t.test(
  'federated createAccount racing: each unique index gives its refusal, and nothing remains',
  async (t) => {
    const before = await prisma.account.count();
    for (const [account, code] of [
      [{ provider: 'vk', subject: '5001' }, 'federated_identity_exists'],
      [{ provider: 'vk', subject: '5001', email: 'held@example.org' }, 'federated_identity_exists'],
      [{ provider: 'mailru', subject: '7', email: 'held@example.org' }, 'email_taken'],
      [{ provider: 'mailru', subject: '7', phone: '+79001110000' }, 'phone_taken'],
    ] as const) {
      await t.rejects(identities.createAccount(account), { code }, JSON.stringify(account));
    }
    t.equal(await prisma.account.count(), before, 'the account of a refused identity was rolled back');
    t.equal(await prisma.federatedIdentity.count(), 1);

    const signIn = createFederatedSignIn({
      accounts: { findByEmail: async () => undefined, findByPhone: async () => undefined },
      identities: { ...identities, accountOf: async () => undefined },
    });
    await t.rejects(signIn.signIn({ mode: 'register', profile: { provider: 'vk', subject: '5001' } }), {
      code: 'federated_identity_exists',
      status: 409,
    });
  },
);

t.test('Postgres unreachable: every store call is unavailable (503)', async (t) => {
  const down = createPrismaClient('postgresql://postgres@127.0.0.1:5432/propusk_test_does_not_exist');
  t.teardown(() => down.$disconnect());
  const downContacts = createPrismaContactAccountStore(down);
  const downIdentities = createPrismaFederatedIdentityStore(down);
  const unavailable = { code: 'unavailable', status: 503 };
  await t.rejects(downContacts.findByEmail('a@example.org'), unavailable);
  await t.rejects(downContacts.findByPhone('+79001234567'), unavailable);
  await t.rejects(downContacts.createWithContacts({ email: 'a@example.org', roles: [] }), unavailable);
  await t.rejects(downIdentities.accountOf('vk', '1'), unavailable);
  await t.rejects(downIdentities.createAccount({ provider: 'vk', subject: '1' }), unavailable);
});
