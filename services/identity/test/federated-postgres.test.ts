// The provider's word on a federated e-mail in Postgres (issue 15 item 1, document 002): the
// Prisma store keeps it on the account and on its identity (federated_identities.email_verified),
// linkOf reads both back, and login refuses an unvouched identity once the account's e-mail
// was proven (as a document 003 code does, v2/prisma-store.ts markVerified).
import t from 'tap';
import { createPrismaClient, createTestDatabase } from '@propusk/db';
import { createPrismaContactAccountStore } from '../src/accounts/prisma-store.js';
import { createFederatedSignIn } from '../src/federated/flow.js';
import { createPrismaFederatedIdentityStore } from '../src/federated/prisma-store.js';

const db = await createTestDatabase();
const prisma = createPrismaClient(db.url);
t.teardown(async () => {
  await prisma.$disconnect();
  await db.drop();
});
const identities = createPrismaFederatedIdentityStore(prisma);

t.test("createAccount keeps the provider's word; linkOf reads it back with the account's", async (t) => {
  const vouched = await identities.createAccount({
    provider: 'mailru',
    subject: 'p-1',
    email: 'owner@mail.ru',
    providerEmail: 'Owner@Mail.ru',
    emailVerified: true,
  });
  const unvouched = await identities.createAccount({
    provider: 'mailru',
    subject: 'p-2',
    email: 'victim@example.org',
    providerEmail: 'victim@example.org',
  });
  const rows = await prisma.federatedIdentity.findMany({
    select: { subject: true, emailVerified: true, account: { select: { emailVerified: true } } },
    orderBy: { subject: 'asc' },
  });
  t.same(rows, [
    { subject: 'p-1', emailVerified: true, account: { emailVerified: true } },
    { subject: 'p-2', emailVerified: false, account: { emailVerified: false } },
  ]);
  t.same(await identities.linkOf('mailru', 'p-1'), {
    account: vouched,
    accountEmailVerified: true,
    email: 'Owner@Mail.ru',
    emailVerified: true,
  });
  t.same(await identities.linkOf('mailru', 'p-2'), {
    account: unvouched,
    accountEmailVerified: false,
    email: 'victim@example.org',
    emailVerified: false,
  });
  t.equal(await identities.linkOf('vk', 'p-1'), undefined, 'the key is (provider, subject)');
});

t.test('login against Postgres: the unvouched identity stops once the e-mail is proven', async (t) => {
  const signIn = createFederatedSignIn({ accounts: createPrismaContactAccountStore(prisma), identities });
  const profile = { provider: 'mailru', subject: 'p-3', email: 'victim3@example.org' } as const;
  const account = await signIn.signIn({ mode: 'register', profile });
  t.same(await signIn.signIn({ mode: 'login', profile }), account);
  await prisma.account.update({ where: { id: account.id }, data: { emailVerified: true } });
  await t.rejects(signIn.signIn({ mode: 'login', profile }), {
    code: 'federated_identity_unknown',
    status: 404,
  });
});

t.test('Postgres unreachable: linkOf is unavailable (503)', async (t) => {
  const down = createPrismaClient('postgresql://postgres@127.0.0.1:5432/propusk_test_does_not_exist');
  t.teardown(() => down.$disconnect());
  const downIdentities = createPrismaFederatedIdentityStore(down);
  await t.rejects(downIdentities.linkOf('mailru', '1'), { code: 'unavailable', status: 503 });
});
