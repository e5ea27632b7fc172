// identity.federatedSignIn's domain (federated/flow.ts) with in-memory stores: register and
// login by (provider, subject), the conflicts, and the contacts it keeps or drops.
import t from 'tap';
import type { FederatedProfile } from '@propusk/contracts';
import { createFederatedSignIn, federatedAccount } from '../src/federated/flow.js';
import {
  memoryAccountBase,
  memoryContactAccounts,
  memoryFederatedIdentities,
} from './fixtures/authorization-fakes.js';

function setup(seed: Parameters<typeof memoryAccountBase>[0] = []) {
  const base = memoryAccountBase(seed);
  const signIn = createFederatedSignIn({
    accounts: memoryContactAccounts(base),
    identities: memoryFederatedIdentities(base),
  });
  return { base, signIn };
}

const vk: FederatedProfile = {
  provider: 'vk',
  subject: '172839',
  email: 'Ivan.Petrov@Mail.RU',
  phone: '79001234567',
  firstName: 'Иван',
  lastName: 'Петров',
};

t.test('register makes the account and its identity; login finds it by (provider, subject)', async (t) => {
  const { base, signIn } = setup();
  const account = await signIn.signIn({ mode: 'register', profile: vk });
  t.match(account, { email: 'ivan.petrov@mail.ru', phone: '+79001234567', username: null, roles: [] });
  t.notOk('passwordHash' in account, 'an AccountView, never the hash');
  t.match(base.rows[0], { name: 'Иван', surname: 'Петров', passwordHash: null });
  t.same(base.identities.get('vk:172839'), {
    accountId: account.id,
    email: 'Ivan.Petrov@Mail.RU',
    emailVerified: false,
  });

  t.same(await signIn.signIn({ mode: 'login', profile: { provider: 'vk', subject: '172839' } }), account);
  // Other contacts at login change nothing: the key is (provider, subject).
  t.same(await signIn.signIn({ mode: 'login', profile: { ...vk, email: 'other@example.org' } }), account);
});

t.test(
  'register twice: federated_identity_exists (409); the same subject at another provider is another person',
  async (t) => {
    const { base, signIn } = setup();
    await signIn.signIn({ mode: 'register', profile: { provider: 'yandex', subject: '42' } });
    await t.rejects(signIn.signIn({ mode: 'register', profile: { provider: 'yandex', subject: '42' } }), {
      code: 'federated_identity_exists',
      status: 409,
    });
    await signIn.signIn({ mode: 'register', profile: { provider: 'mailru', subject: '42' } });
    t.equal(base.rows.length, 2);
  },
);

t.test('login of an unknown provider account: federated_identity_unknown (404), nothing made', async (t) => {
  const { base, signIn } = setup();
  await t.rejects(signIn.signIn({ mode: 'login', profile: vk }), {
    code: 'federated_identity_unknown',
    status: 404,
  });
  t.equal(base.rows.length, 0);
});

t.test(
  "another account's e-mail (any case) or phone refuses the registration; it never signs in",
  async (t) => {
    const { base, signIn } = setup([
      { email: 'ivan.petrov@mail.ru', passwordHash: 'hash' },
      { phone: '+79001234567', passwordHash: 'hash' },
    ]);
    await t.rejects(signIn.signIn({ mode: 'register', profile: vk }), { code: 'email_taken', status: 409 });
    await t.rejects(signIn.signIn({ mode: 'register', profile: { ...vk, email: undefined } }), {
      code: 'phone_taken',
      status: 409,
    });
    await t.rejects(signIn.signIn({ mode: 'login', profile: vk }), { code: 'federated_identity_unknown' });
    t.equal(base.rows.length, 2);
    t.equal(base.identities.size, 0);
  },
);

t.test('a race lost at the unique indexes answers the same refusals', async (t) => {
  const { base, signIn } = setup();
  await signIn.signIn({ mode: 'register', profile: vk });
  base.stale = true;
  await t.rejects(signIn.signIn({ mode: 'register', profile: vk }), { code: 'federated_identity_exists' });
  await t.rejects(signIn.signIn({ mode: 'register', profile: { ...vk, subject: 'other' } }), {
    code: 'email_taken',
  });
  await t.rejects(
    signIn.signIn({ mode: 'register', profile: { ...vk, subject: 'other', email: 'x@example.org' } }),
    { code: 'phone_taken' },
  );
  t.equal(base.rows.length, 1);
});

t.test('the store down: unavailable passes through', async (t) => {
  const { base, signIn } = setup();
  base.failing = true;
  for (const mode of ['register', 'login'] as const) {
    await t.rejects(signIn.signIn({ mode, profile: vk }), { code: 'unavailable', status: 503 });
  }
});

t.test('contacts: e-mail lower-cased, Russian mobiles in E.164; anything else dropped', async (t) => {
  t.match(federatedAccount({ provider: 'vk', subject: '1', phone: '8 (900) 123-45-67' }), {
    phone: '+79001234567',
    email: undefined,
  });
  for (const phone of ['+447911123456', '+74951234567', 'hidden']) {
    t.equal(federatedAccount({ provider: 'vk', subject: '1', phone }).phone, undefined, phone);
  }
  const odd = federatedAccount({ provider: 'mailru', subject: '1', email: 'not-an-address' });
  t.equal(odd.email, undefined);
  t.equal(odd.providerEmail, 'not-an-address', 'kept as reported with the identity');
  t.same(federatedAccount({ provider: 'yandex', subject: 'y1' }), {
    provider: 'yandex',
    subject: 'y1',
    email: undefined,
    phone: undefined,
    name: undefined,
    surname: undefined,
    providerEmail: undefined,
    emailVerified: false,
  });
});
