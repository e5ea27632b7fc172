// The login flow, the domain: fake account store, fake hasher, throttle on a fake store.
import t from 'tap';
import { createLoginFlow } from '../src/login/flow.js';
import { createLoginThrottle } from '../src/throttle/service.js';
import { pairCounterKey } from '../src/throttle/keys.js';
import { fakeClock, fakeHasher, memoryAccounts, memoryThrottleStore } from './fixtures/fakes.js';

const ALICE = {
  id: '6f1c1f9e-3a51-4a8e-9a53-1d3f0e1c2b3a',
  username: 'alice',
  email: 'alice@example.org',
  phone: '+79001234567',
  roles: ['staff' as const],
  passwordHash: 'hash:right password',
};
/** Alice's failed logins from no address (these calls pass none): one counter for every form. */
const ALICE_FAILURES = pairCounterKey(`account:${ALICE.id}`, undefined);
const VIEW = {
  id: ALICE.id,
  username: 'alice',
  email: 'alice@example.org',
  phone: '+79001234567',
  roles: ['staff'],
};

function setup() {
  const accounts = memoryAccounts([
    ALICE,
    { id: 'c0ffee00-0000-4000-8000-000000000000', username: 'federated' },
  ]);
  const hasher = fakeHasher();
  const store = memoryThrottleStore(fakeClock());
  const throttle = createLoginThrottle({ store, limits: { perAccount: 2, perIp: 10, windowS: 60 } });
  return { accounts, hasher, store, flow: createLoginFlow({ accounts, hasher, throttle }) };
}

t.test('the right password answers the account view (no hash in it)', async (t) => {
  const { flow } = setup();
  t.same(await flow.verifyPassword({ by: 'username', login: 'alice', password: 'right password' }), VIEW);
  t.same(
    await flow.verifyPassword({ by: 'email', login: 'ALICE@Example.org', password: 'right password' }),
    VIEW,
  );
  t.same(await flow.verifyPassword({ by: 'phone', login: '+79001234567', password: 'right password' }), VIEW);
});

t.test('wrong password, unknown login, account without a password: invalid_credentials', async (t) => {
  const { flow, hasher } = setup();
  for (const input of [
    { by: 'username', login: 'alice', password: 'wrong' },
    { by: 'username', login: '\u0430lice', password: 'right password' }, // a look-alike (Cyrillic а)
    { by: 'email', login: 'bob@example.org', password: 'right password' },
    { by: 'username', login: 'federated', password: '' },
  ] as const) {
    await t.rejects(flow.verifyPassword(input), {
      name: 'PropuskError',
      code: 'invalid_credentials',
      status: 401,
    });
  }
  t.same(
    hasher.verifies,
    ['hash:right password', undefined, undefined, null],
    'unknown accounts still run a (dummy) verify',
  );
});

t.test('throttled before the password check: no hash runs', async (t) => {
  const { flow, hasher } = setup();
  const wrong = { by: 'username', login: 'alice', password: 'wrong', ip: '192.0.2.1' } as const;
  await t.rejects(flow.verifyPassword(wrong), { code: 'invalid_credentials' });
  await t.rejects(flow.verifyPassword(wrong), { code: 'invalid_credentials' });
  const verifies = hasher.verifies.length;
  await t.rejects(flow.verifyPassword({ ...wrong, password: 'right password' }), {
    code: 'too_many_attempts',
    details: { retryAfter: 60 },
  });
  t.equal(hasher.verifies.length, verifies);
});

t.test('a success clears the failures of that login', async (t) => {
  const { flow, store } = setup();
  await t.rejects(flow.verifyPassword({ by: 'username', login: 'alice', password: 'wrong' }));
  t.equal(store.count(ALICE_FAILURES), 1);
  await flow.verifyPassword({ by: 'username', login: 'alice', password: 'right password' });
  t.equal(store.count(ALICE_FAILURES), 0);
});

t.test('a username in another case or width signs in to the account (issue 15)', async (t) => {
  const { flow } = setup();
  for (const login of ['Alice', 'ALICE', '\uFF41lice']) {
    t.same(await flow.verifyPassword({ by: 'username', login, password: 'right password' }), VIEW, login);
  }
});

t.test('usernames share one counter whatever their case or width', async (t) => {
  const { flow } = setup();
  await t.rejects(flow.verifyPassword({ by: 'username', login: 'ALICE', password: 'wrong' }));
  await t.rejects(flow.verifyPassword({ by: 'username', login: '\uFF41lice', password: 'wrong' }));
  await t.rejects(flow.verifyPassword({ by: 'username', login: 'alice', password: 'right password' }), {
    code: 'too_many_attempts',
  });
});

t.test('every form of login spends the one budget of the account (issue 15)', async (t) => {
  const { flow, store } = setup();
  await t.rejects(flow.verifyPassword({ by: 'username', login: 'alice', password: 'wrong' }));
  await t.rejects(flow.verifyPassword({ by: 'phone', login: '+79001234567', password: 'wrong' }));
  t.equal(store.count(ALICE_FAILURES), 2);
  await t.rejects(
    flow.verifyPassword({ by: 'email', login: 'alice@example.org', password: 'right password' }),
    { code: 'too_many_attempts' },
  );
});

t.test('a name nobody has is throttled by itself, like a real one', async (t) => {
  const { flow } = setup();
  for (let i = 0; i < 2; i++) {
    await t.rejects(flow.verifyPassword({ by: 'username', login: 'nobody', password: 'x' }), {
      code: 'invalid_credentials',
    });
  }
  await t.rejects(flow.verifyPassword({ by: 'username', login: 'nobody', password: 'x' }), {
    code: 'too_many_attempts',
  });
});

t.test('e-mail logins share one counter whatever their case', async (t) => {
  const { flow } = setup();
  await t.rejects(flow.verifyPassword({ by: 'email', login: 'ALICE@example.org', password: 'wrong' }));
  await t.rejects(flow.verifyPassword({ by: 'email', login: 'alice@EXAMPLE.org', password: 'wrong' }));
  await t.rejects(
    flow.verifyPassword({ by: 'email', login: 'alice@example.org', password: 'right password' }),
    {
      code: 'too_many_attempts',
    },
  );
});

t.test('the account store failing: its error, and the attempt is not counted', async (t) => {
  const { flow, accounts, store } = setup();
  accounts.failing = true;
  await t.rejects(flow.verifyPassword({ by: 'username', login: 'alice', password: 'x', ip: '192.0.2.5' }), {
    message: 'database down',
  });
  t.equal(store.count(ALICE_FAILURES), 0);
});

t.test('the throttle store failing: unavailable, and no password check', async (t) => {
  const { flow, store, hasher } = setup();
  store.failNext = true;
  await t.rejects(flow.verifyPassword({ by: 'username', login: 'alice', password: 'right password' }), {
    code: 'unavailable',
  });
  t.equal(hasher.verifies.length, 0);
});
