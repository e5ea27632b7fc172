// Throttling of failed logins through both profiles' routes, counters in the real Redis:
// per account from one address, per IP (the last x-forwarded-for hop), reset by a success,
// exact under bursts.
import t from 'tap';
import { bootIdentity, uniqueIp } from './fixtures/identity.js';

const PER_ACCOUNT = 3;
const PER_IP = 5;
const WINDOW_S = 60;
const identity = await bootIdentity({
  LOGIN_MAX_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT),
  LOGIN_MAX_FAILURES_PER_IP: String(PER_IP),
  LOGIN_FAILURE_WINDOW_S: String(WINDOW_S),
});
t.teardown(() => identity.close());

const PASSWORD = 'correct horse 42';
for (const username of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace']) {
  await identity.seed({ username, roles: ['admin'] });
}
const DRF = '/api/v1/login/';
const ENVELOPE = '/api/v1/auth/user/';

function retryAfterOf(res: { headers: Record<string, unknown> }): number {
  return Number(res.headers['retry-after']);
}

t.test(
  'the failure after the account limit is refused with 429 and Retry-After, even with the right password',
  async (t) => {
    const ip = uniqueIp();
    for (let i = 0; i < PER_ACCOUNT; i++) {
      const res = await identity.post(DRF, { username: 'alice', password: 'wrong password' }, { ip });
      t.equal(res.statusCode, 401, `failure ${i + 1}`);
    }
    const drf = await identity.post(DRF, { username: 'alice', password: PASSWORD }, { ip });
    t.equal(drf.statusCode, 429);
    const wait = retryAfterOf(drf);
    t.ok(wait >= 1 && wait <= WINDOW_S, `Retry-After ${wait}`);
    t.same(drf.json(), {
      result: {
        status: 429,
        message: `Слишком много неудачных попыток входа. Повторите попытку через ${wait} сек.`,
      },
      data: {},
    });
    // The counter is the account's from that address, whatever the profile.
    const envelope = await identity.post(ENVELOPE, { username: 'alice', password: PASSWORD }, { ip });
    t.equal(envelope.statusCode, 429);
    t.ok(retryAfterOf(envelope) >= 1 && retryAfterOf(envelope) <= WINDOW_S);
    t.same(envelope.json(), {
      data: { username: 'alice' },
      errors: [{ code: 3001, message: 'too many attempts' }],
    });
    t.equal(
      identity.tokens.drf.length + identity.tokens.envelope.length,
      0,
      'no token for a throttled login',
    );
    const owner = await identity.post(DRF, { username: 'alice', password: PASSWORD });
    t.equal(owner.statusCode, 200, 'from another address the owner signs in (issue 15: no lockout)');
  },
);

t.test("a success clears the account's counter for that address", async (t) => {
  const ip = uniqueIp();
  const bob = (password: string) => identity.post(DRF, { username: 'bob', password }, { ip });
  for (let i = 0; i < PER_ACCOUNT - 1; i++) {
    t.equal((await bob('wrong password')).statusCode, 401);
  }
  t.equal((await bob(PASSWORD)).statusCode, 200);
  for (let i = 0; i < PER_ACCOUNT; i++) {
    const res = await bob('wrong password');
    t.equal(res.statusCode, 401, `failure ${i + 1} after the success`);
  }
  t.equal((await bob(PASSWORD)).statusCode, 429);
});

t.test('the IP limit holds across usernames; successes do not count against it', async (t) => {
  const ip = uniqueIp();
  for (let i = 0; i < PER_IP; i++) {
    const res = await identity.post(DRF, { username: `ghost${i}`, password: 'wrong password' }, { ip });
    t.equal(res.statusCode, 401, `failure ${i + 1} from the address`);
    if (i < PER_IP - 1) {
      t.equal((await identity.post(DRF, { username: 'carol', password: PASSWORD }, { ip })).statusCode, 200);
    }
  }
  const res = await identity.post(ENVELOPE, { username: 'dave', password: PASSWORD }, { ip });
  t.equal(res.statusCode, 429, 'a fresh account from that address is refused');
  t.ok(retryAfterOf(res) >= 1);
  t.equal(
    (await identity.post(ENVELOPE, { username: 'dave', password: PASSWORD })).statusCode,
    200,
    'elsewhere it logs in',
  );
});

t.test(
  'only the last x-forwarded-for hop counts: a client cannot spoof its way round the IP limit',
  async (t) => {
    const real = uniqueIp();
    for (let i = 0; i < PER_IP; i++) {
      const res = await identity.post(
        ENVELOPE,
        { username: `spoof${i}`, password: 'x' },
        { ip: `203.0.113.${i}, ${real}` },
      );
      t.equal(res.statusCode, 401);
    }
    const res = await identity.post(
      ENVELOPE,
      { username: 'erin', password: PASSWORD },
      { ip: `198.51.100.7,${real}` },
    );
    t.equal(res.statusCode, 429);
  },
);

t.test(
  'a burst of concurrent failures is counted exactly: the limit holds, not one more verify',
  async (t) => {
    const ip = uniqueIp();
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        identity.post(DRF, { username: 'frank', password: 'wrong password' }, { ip }),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    t.equal(
      codes.filter((c) => c === 401).length,
      PER_ACCOUNT,
      'exactly the limit reached the password check',
    );
    t.equal(codes.filter((c) => c === 429).length, 25 - PER_ACCOUNT);
  },
);

t.test('the default limits hold well before 100 guesses', async (t) => {
  const { IDENTITY_SETTINGS } = await import('../src/settings.js');
  t.equal(IDENTITY_SETTINGS.LOGIN_MAX_FAILURES_PER_ACCOUNT.default, 10);
  t.ok(IDENTITY_SETTINGS.LOGIN_MAX_FAILURES_PER_ACCOUNT.max < 100, 'not configurable to 100 or more');
  t.equal(IDENTITY_SETTINGS.LOGIN_MAX_FAILURES_PER_IP.default, 50);
  t.equal(IDENTITY_SETTINGS.LOGIN_FAILURE_WINDOW_S.default, 900);
});
