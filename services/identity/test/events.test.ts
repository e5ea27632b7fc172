// What identity's domain reports through its events port (a recording fake here; the e2e test
// tests/e2e/events.test.ts sees the same events arrive on JetStream): one event per login
// attempt with the reason a client is never told, and registrations and links as they commit.
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { EVENTS, validate, type FederatedProfile } from '@propusk/contracts';
import type { IdentityEvents } from '../src/events/port.js';
import { createFederatedSignIn } from '../src/federated/flow.js';
import { createLoginFlow } from '../src/login/flow.js';
import { createLoginThrottle } from '../src/throttle/service.js';
import {
  memoryAccountBase,
  memoryContactAccounts,
  memoryFederatedIdentities,
} from './fixtures/authorization-fakes.js';
import { fakeClock, fakeHasher, memoryAccounts, memoryThrottleStore } from './fixtures/fakes.js';

type Recorded = {
  [K in keyof IdentityEvents]: { kind: K; event: Parameters<IdentityEvents[K]>[0] };
}[keyof IdentityEvents];

const DEFS = {
  registered: EVENTS.userRegistered,
  federatedLinked: EVENTS.federatedLinked,
  loginSucceeded: EVENTS.loginSucceeded,
  loginFailed: EVENTS.loginFailed,
  passwordChanged: EVENTS.passwordChanged,
} as const;

/** Records every report, and checks each against its contract as the publisher would. */
function recordingEvents(t: Test) {
  const seen: Recorded[] = [];
  const record =
    <K extends keyof IdentityEvents>(kind: K) =>
    (event: Parameters<IdentityEvents[K]>[0]) => {
      const full = JSON.parse(JSON.stringify({ id: randomUUID(), at: new Date().toISOString(), ...event }));
      t.ok(validate(DEFS[kind].schema, full), `${kind} matches auth.${DEFS[kind].name}`);
      seen.push({ kind, event } as Recorded);
    };
  const events: IdentityEvents = {
    registered: record('registered'),
    federatedLinked: record('federatedLinked'),
    loginSucceeded: record('loginSucceeded'),
    loginFailed: record('loginFailed'),
    passwordChanged: record('passwordChanged'),
  };
  return { events, seen };
}

const ALICE = {
  id: '6f1c1f9e-3a51-4a8e-9a53-1d3f0e1c2b3a',
  username: 'alice',
  email: 'alice@example.org',
  phone: '+79001234567',
  roles: ['staff' as const],
  passwordHash: 'hash:right password',
};

function loginSetup(t: Test) {
  const { events, seen } = recordingEvents(t);
  const throttle = createLoginThrottle({
    store: memoryThrottleStore(fakeClock()),
    limits: { perAccount: 2, perIp: 10, windowS: 60 },
  });
  const flow = createLoginFlow({ accounts: memoryAccounts([ALICE]), hasher: fakeHasher(), throttle, events });
  return { flow, seen };
}

t.test('password logins: one event per attempt, with the reason the client is not told', async (t) => {
  const { flow, seen } = loginSetup(t);
  await flow.verifyPassword({ by: 'username', login: 'alice', password: 'right password', profile: 'drf' });
  await t.rejects(
    flow.verifyPassword({ by: 'username', login: 'alice', password: 'Gu3ss-me', profile: 'drf' }),
  );
  await t.rejects(
    flow.verifyPassword({ by: 'email', login: 'bob@example.org', password: 'x', profile: 'v2' }),
  );
  t.same(seen, [
    {
      kind: 'loginSucceeded',
      event: { profile: 'drf', method: 'password', by: 'username', accountId: ALICE.id },
    },
    {
      kind: 'loginFailed',
      event: {
        profile: 'drf',
        method: 'password',
        by: 'username',
        reason: 'wrong_password',
        accountId: ALICE.id,
      },
    },
    {
      kind: 'loginFailed',
      event: { profile: 'v2', method: 'password', by: 'email', reason: 'unknown_user', accountId: undefined },
    },
  ]);
  t.notMatch(
    JSON.stringify(seen),
    /alice@|bob@|right password|Gu3ss-me/,
    'no login name or password in events',
  );
});

t.test('a throttled attempt is a failed login; a refused role is one too, not a success', async (t) => {
  const { flow, seen } = loginSetup(t);
  const wrong = { by: 'username', login: 'alice', password: 'wrong', profile: 'envelope' } as const;
  await t.rejects(flow.verifyPassword(wrong));
  await t.rejects(flow.verifyPassword(wrong));
  await t.rejects(flow.verifyPassword(wrong), { code: 'too_many_attempts' });
  t.same(
    seen.map((s) => s.kind === 'loginFailed' && s.event.reason),
    ['wrong_password', 'wrong_password', 'throttled'],
  );

  const other = loginSetup(t);
  await t.rejects(
    other.flow.verifyPassword({
      by: 'username',
      login: 'alice',
      password: 'right password',
      profile: 'envelope',
      permitted: (account) => account.roles.includes('admin'),
    }),
    { code: 'invalid_credentials' },
    'answered exactly like a wrong password',
  );
  t.same(other.seen, [
    {
      kind: 'loginFailed',
      event: {
        profile: 'envelope',
        method: 'password',
        by: 'username',
        reason: 'not_permitted',
        accountId: ALICE.id,
      },
    },
  ]);
});

t.test('a failure of the database is no verdict: no login event', async (t) => {
  const { events, seen } = recordingEvents(t);
  const throttle = createLoginThrottle({
    store: memoryThrottleStore(fakeClock()),
    limits: { perAccount: 2, perIp: 10, windowS: 60 },
  });
  const broken = {
    findByUsername: () => Promise.reject(new Error('database down')),
    findByEmail: () => Promise.reject(new Error('database down')),
    findByPhone: () => Promise.reject(new Error('database down')),
  };
  const flow = createLoginFlow({ accounts: broken, hasher: fakeHasher(), throttle, events });
  await t.rejects(flow.verifyPassword({ by: 'username', login: 'alice', password: 'x', profile: 'drf' }));
  t.same(seen, []);
});

t.test('federated registration reports the account and its link; login and unknown identity', async (t) => {
  const { events, seen } = recordingEvents(t);
  const base = memoryAccountBase([]);
  const signIn = createFederatedSignIn({
    accounts: memoryContactAccounts(base),
    identities: memoryFederatedIdentities(base),
    events,
  });
  const vk: FederatedProfile = { provider: 'vk', subject: '172839', email: 'ivan@mail.ru' };
  const account = await signIn.signIn({ mode: 'register', profile: vk });
  await signIn.signIn({ mode: 'login', profile: vk });
  await t.rejects(signIn.signIn({ mode: 'login', profile: { provider: 'yandex', subject: '1' } }));
  t.same(seen, [
    {
      kind: 'registered',
      event: { accountId: account.id, profile: 'authorization', method: 'federated', provider: 'vk' },
    },
    { kind: 'federatedLinked', event: { accountId: account.id, provider: 'vk' } },
    {
      kind: 'loginSucceeded',
      event: { profile: 'authorization', method: 'federated', provider: 'vk', accountId: account.id },
    },
    {
      kind: 'loginFailed',
      event: {
        profile: 'authorization',
        method: 'federated',
        provider: 'yandex',
        reason: 'unknown_identity',
      },
    },
  ]);
  t.notMatch(JSON.stringify(seen), /172839|ivan@/, 'no provider subject or e-mail in events');
});
