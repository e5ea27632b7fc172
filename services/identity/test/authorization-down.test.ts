// Document 002 with its dependencies down: Postgres unreachable (503, the attempt not counted),
// and no token service answering (503; a registration says its account exists).
import t from 'tap';
import { identityOps } from '@propusk/contracts';
import { bootIdentity } from './fixtures/identity.js';
import { detailFailure } from './fixtures/authorization-identity.js';

const UNAVAILABLE = 'Service temporarily unavailable, retry later';
const PASSWORD = 'yT7#kq2!mZ';

t.test('Postgres unreachable: 503 {detail}, never 429; federatedSignIn unavailable', async (t) => {
  const identity = await bootIdentity({
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/propusk_test_does_not_exist',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '2',
  });
  t.teardown(() => identity.close());
  detailFailure(
    t,
    await identity.post('/authorization/registration', {
      phone_number: '+79001234567',
      email: 'a@example.org',
      hash_password: PASSWORD,
    }),
    503,
    UNAVAILABLE,
    'registration',
  );
  for (let i = 0; i < 3; i++) {
    detailFailure(
      t,
      await identity.post('/authorization/login/email', { email: 'a@example.org', hash_password: PASSWORD }),
      503,
      UNAVAILABLE,
      `e-mail login ${i + 1}`,
    );
  }
  detailFailure(
    t,
    await identity.post('/authorization/login/phone/number', {
      phone_number: '89001234567',
      hash_password: PASSWORD,
    }),
    503,
    UNAVAILABLE,
    'phone login',
  );
  for (const mode of ['register', 'login'] as const) {
    await t.rejects(
      identity.rpc.call(identityOps.federatedSignIn, { mode, profile: { provider: 'vk', subject: '1' } }),
      { name: 'PropuskError', code: 'unavailable', status: 503 },
      mode,
    );
  }
});

t.test('no token service answering: login 503; registration 503 naming the way in, then 409', async (t) => {
  // fixtures/identity.ts' fake token service does not serve issueAuthorization: no responders.
  const identity = await bootIdentity();
  t.teardown(() => identity.close());
  const body = { phone_number: '+79001234567', email: 'no-tokens@example.org', hash_password: PASSWORD };
  detailFailure(
    t,
    await identity.post('/authorization/registration', body),
    503,
    'the account was registered, but signing in failed for now: sign in with /authorization/login/email',
  );
  t.equal(await identity.prisma.account.count({ where: { email: 'no-tokens@example.org' } }), 1);
  detailFailure(t, await identity.post('/authorization/registration', body), 409, /already exists/);
  detailFailure(
    t,
    await identity.post('/authorization/login/email', { email: body.email, hash_password: PASSWORD }),
    503,
    UNAVAILABLE,
  );
});
