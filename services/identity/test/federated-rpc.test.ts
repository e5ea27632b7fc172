// identity.federatedSignIn over real NATS, answered by the real identity process against the
// real Postgres (a fresh database): what federation's provider routes get back, and the typed
// errors they turn into document 002's answers.
import t from 'tap';
import { identityOps, type FederatedProfile } from '@propusk/contracts';
import { bootIdentity } from './fixtures/identity.js';

const identity = await bootIdentity();
t.teardown(() => identity.close());
const signIn = (mode: 'register' | 'login', profile: FederatedProfile) =>
  identity.rpc.call(identityOps.federatedSignIn, { mode, profile });

t.test('register, then login: the same AccountView, keyed by (provider, subject)', async (t) => {
  const profile: FederatedProfile = {
    provider: 'vk',
    subject: '100500',
    email: 'Ivan@Example.ORG',
    phone: '79001234567',
    firstName: 'Иван',
    lastName: 'Петров',
  };
  const { account } = await signIn('register', profile);
  t.match(account, { username: null, email: 'ivan@example.org', phone: '+79001234567', roles: [] });
  const row = await identity.prisma.account.findUnique({
    where: { id: account.id },
    include: { federatedIdentities: true },
  });
  t.match(row, {
    name: 'Иван',
    surname: 'Петров',
    emailVerified: false,
    phoneVerified: false,
    passwordHash: null,
  });
  t.match(row?.federatedIdentities, [{ provider: 'vk', subject: '100500', email: 'Ivan@Example.ORG' }]);

  t.same(await signIn('login', { provider: 'vk', subject: '100500' }), { account });
  t.same(
    await signIn('login', { ...profile, email: 'changed@example.org' }),
    { account },
    'contacts are not the key',
  );
});

t.test('a provider account without contacts registers; user_name comes from the subject then', async (t) => {
  const { account } = await signIn('register', {
    provider: 'yandex',
    subject: 'y-1',
    phone: '+7 495 123-45-67',
  });
  t.match(account, { email: null, phone: null, username: null }, 'a landline is no account phone');
  t.same(await signIn('login', { provider: 'yandex', subject: 'y-1' }), { account });
});

t.test('conflicts: federated_identity_exists 409, email_taken / phone_taken 409, unknown 404', async (t) => {
  await identity.seed({ email: 'owner@example.org', phone: '+79005556677' });
  await signIn('register', { provider: 'mailru', subject: 'm-1' });
  const before = await identity.prisma.account.count();
  for (const [mode, profile, code, status] of [
    ['register', { provider: 'mailru', subject: 'm-1' }, 'federated_identity_exists', 409],
    ['register', { provider: 'mailru', subject: 'm-2', email: 'OWNER@example.org' }, 'email_taken', 409],
    ['register', { provider: 'mailru', subject: 'm-3', phone: '8 900 555-66-77' }, 'phone_taken', 409],
    [
      'login',
      { provider: 'mailru', subject: 'm-2', email: 'owner@example.org' },
      'federated_identity_unknown',
      404,
    ],
    ['login', { provider: 'vk', subject: 'm-1' }, 'federated_identity_unknown', 404],
  ] as const) {
    await t.rejects(
      signIn(mode, profile),
      { name: 'PropuskError', code, status },
      `${mode} ${JSON.stringify(profile)}`,
    );
  }
  t.equal(await identity.prisma.account.count(), before, 'nothing written');
});

t.test(
  'one provider account registering twice at once: one account, one federated_identity_exists',
  async (t) => {
    const profile: FederatedProfile = {
      provider: 'vk',
      subject: 'double-click',
      email: 'double@example.org',
    };
    const answers = await Promise.allSettled([signIn('register', profile), signIn('register', profile)]);
    const fulfilled = answers.filter((a) => a.status === 'fulfilled');
    const rejected = answers.filter((a) => a.status === 'rejected');
    t.equal(fulfilled.length, 1);
    t.match(rejected, [{ reason: { code: 'federated_identity_exists' } }]);
    t.equal(await identity.prisma.account.count({ where: { email: 'double@example.org' } }), 1);
  },
);
