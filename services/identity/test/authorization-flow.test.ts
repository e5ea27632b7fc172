// Document 002's registration and logins (profiles/authorization/flow.ts) with in-memory stores:
// every branch, what reaches the token service, and what never runs (hash, create, tokens).
import t from 'tap';
import { PropuskError } from '@propusk/contracts';
import { createAuthorizationFlow } from '../src/profiles/authorization/flow.js';
import { createLoginFlow } from '../src/login/flow.js';
import { createLoginThrottle } from '../src/throttle/service.js';
import { fakeClock, memoryThrottleStore } from './fixtures/fakes.js';
import {
  memoryAccountBase,
  memoryContactAccounts,
  type MemoryAccountBase,
} from './fixtures/authorization-fakes.js';
import { fakeAuthorizationTokens } from './fixtures/authorization-tokens.js';

const PASSWORD = 'correct horse 42';

function setup(seed: Parameters<typeof memoryAccountBase>[0] = []) {
  const base: MemoryAccountBase = memoryAccountBase(seed);
  const accounts = memoryContactAccounts(base);
  const hashes: string[] = [];
  const verifies: Array<string | null | undefined> = [];
  const hasher = {
    async hash(password: string) {
      hashes.push(password);
      return `hash:${password}`;
    },
    async verify(hash: string | null | undefined, password: string) {
      verifies.push(hash);
      return hash === `hash:${password}`;
    },
  };
  const throttle = createLoginThrottle({
    store: memoryThrottleStore(fakeClock()),
    limits: { perAccount: 3, perIp: 100, windowS: 900 },
  });
  const login = createLoginFlow({
    accounts: { ...accounts, findByUsername: async (u) => base.rows.find((r) => r.username === u) },
    hasher,
    throttle,
  });
  const tokens = fakeAuthorizationTokens();
  const flow = createAuthorizationFlow({ accounts, hasher, login, tokens });
  return { base, flow, tokens, hashes, verifies };
}

const registration = { email: 'new@example.org', phone: '+79001234567', password: PASSWORD };

t.test('register: the account (hashed password, no roles), then a pair for its e-mail', async (t) => {
  const { base, flow, tokens, hashes } = setup();
  const pair = await flow.register({ ...registration, requestId: 'req-1' });
  t.same(pair, tokens.issued[0]);
  t.same(hashes, [PASSWORD]);
  t.equal(base.rows.length, 1);
  t.match(base.rows[0], {
    email: 'new@example.org',
    phone: '+79001234567',
    passwordHash: `hash:${PASSWORD}`,
    roles: [],
  });
  t.same(tokens.requests, [{ accountId: base.rows[0]!.id, userName: 'new@example.org', roles: [] }]);
});

t.test('register: the password policy first, before any lookup or hash', async (t) => {
  for (const [password, message] of [
    ['short', 'password must be at least 8 characters'],
    ['x'.repeat(129), 'password must be at most 128 characters'],
    ['password123', 'password is too common'],
  ]) {
    const { base, flow, hashes } = setup();
    await t.rejects(flow.register({ ...registration, password: password! }), {
      code: 'password_rejected',
      status: 400,
      message,
    });
    t.same(base.calls, [], 'no lookup');
    t.same(hashes, [], 'no hash');
  }
});

t.test('register: a taken e-mail or phone is refused before the hash; nothing is created', async (t) => {
  const seed = [{ email: 'new@example.org' }, { phone: '+79001234567' }];
  {
    const { base, flow, hashes, tokens } = setup([seed[0]!]);
    await t.rejects(flow.register(registration), { code: 'email_taken', status: 409 });
    t.same(hashes, []);
    t.equal(base.rows.length, 1);
    t.same(tokens.requests, []);
  }
  {
    const { base, flow, hashes } = setup([seed[1]!]);
    await t.rejects(flow.register(registration), { code: 'phone_taken', status: 409 });
    t.same(hashes, []);
    t.equal(base.rows.length, 1);
  }
});

t.test('register: a concurrent registration that wins the race is refused by the store', async (t) => {
  for (const [seed, code] of [
    [{ email: 'new@example.org' }, 'email_taken'],
    [{ phone: '+79001234567' }, 'phone_taken'],
  ] as const) {
    const { base, flow, tokens } = setup([seed]);
    base.stale = true;
    await t.rejects(flow.register(registration), { code, status: 409 });
    t.same(base.calls, ['findByEmail', 'findByPhone', 'createWithContacts']);
    t.equal(base.rows.length, 1, 'nothing created');
    t.same(tokens.requests, [], 'no tokens');
  }
});

t.test('register: the database down is unavailable (503), as the store reports it', async (t) => {
  const { base, flow, hashes } = setup();
  base.failing = true;
  await t.rejects(flow.register(registration), { code: 'unavailable', status: 503 });
  t.same(hashes, []);
});

t.test('register: tokens failing after the account was made says so, with the way in', async (t) => {
  for (const cause of [new PropuskError('timeout'), new PropuskError('unavailable'), new Error('bug')]) {
    const { base, flow, tokens } = setup();
    tokens.failWith(cause as PropuskError);
    await t.rejects(flow.register(registration), {
      code: 'unavailable',
      status: 503,
      message:
        'the account was registered, but signing in failed for now: sign in with /authorization/login/email',
      details: { registered: true, cause: cause instanceof PropuskError ? cause.code : 'internal' },
    });
    t.equal(base.rows.length, 1, 'the account stays');
  }
});

t.test('login by e-mail (any case) or phone: a pair named by the e-mail, else the phone', async (t) => {
  const { base, flow, tokens } = setup([
    { email: 'both@example.org', phone: '+79001112233', passwordHash: `hash:${PASSWORD}`, roles: ['staff'] },
    { phone: '+79004445566', passwordHash: `hash:${PASSWORD}` },
  ]);
  const [both, phoneOnly] = base.rows;
  t.same(
    await flow.login({ by: 'email', login: 'Both@Example.ORG', password: PASSWORD, requestId: 'r' }),
    tokens.issued.at(-1),
  );
  t.same(tokens.requests.at(-1), { accountId: both!.id, userName: 'both@example.org', roles: ['staff'] });
  await flow.login({ by: 'phone', login: '+79001112233', password: PASSWORD });
  t.same(tokens.requests.at(-1), { accountId: both!.id, userName: 'both@example.org', roles: ['staff'] });
  await flow.login({ by: 'phone', login: '+79004445566', password: PASSWORD });
  t.same(tokens.requests.at(-1), { accountId: phoneOnly!.id, userName: '+79004445566', roles: [] });
});

t.test('login: wrong password and unknown login are one error; the unknown one still verifies', async (t) => {
  const { flow, tokens, verifies } = setup([{ email: 'a@example.org', passwordHash: `hash:${PASSWORD}` }]);
  await t.rejects(flow.login({ by: 'email', login: 'a@example.org', password: 'wrong password' }), {
    code: 'invalid_credentials',
    status: 401,
  });
  await t.rejects(flow.login({ by: 'email', login: 'nobody@example.org', password: PASSWORD }), {
    code: 'invalid_credentials',
    status: 401,
  });
  await t.rejects(flow.login({ by: 'phone', login: '+79009999999', password: PASSWORD }), {
    code: 'invalid_credentials',
    status: 401,
  });
  t.same(verifies, [`hash:${PASSWORD}`, undefined, undefined], 'a dummy verify for unknown logins');
  t.same(tokens.requests, []);
});

t.test('login: throttled after the limit, before any verify', async (t) => {
  const { flow, tokens, verifies } = setup([{ phone: '+79001112233', passwordHash: `hash:${PASSWORD}` }]);
  for (let i = 0; i < 3; i++) {
    await t.rejects(flow.login({ by: 'phone', login: '+79001112233', password: 'wrong password' }), {
      code: 'invalid_credentials',
    });
  }
  await t.rejects(flow.login({ by: 'phone', login: '+79001112233', password: PASSWORD }), {
    code: 'too_many_attempts',
    status: 429,
    details: { retryAfter: 900 },
  });
  t.equal(verifies.length, 3, 'no verify once throttled');
  t.same(tokens.requests, []);
});

t.test("login: the token service's failure is passed on as it is (no account was made)", async (t) => {
  const { flow, tokens } = setup([{ email: 'a@example.org', passwordHash: `hash:${PASSWORD}` }]);
  tokens.failWith(new PropuskError('timeout'));
  const err = await flow.login({ by: 'email', login: 'a@example.org', password: PASSWORD }).catch((e) => e);
  t.match(err, { code: 'timeout', status: 504 });
  t.equal(err.details, undefined, 'not marked registered');
});
