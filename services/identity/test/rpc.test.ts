// identity.verifyPassword and identity.getAccount over real NATS, answered by the real
// identity process, called through kit's typed RPC client: replies and typed errors.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { identityOps, namespace } from '@propusk/contracts';
import { connectNats, createRpcClient } from '@propusk/kit';
import { NATS_URL, bootIdentity } from './fixtures/identity.js';
import { silentLog } from './fixtures/silent-log.js';

const identity = await bootIdentity({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '2', LOGIN_MAX_FAILURES_PER_IP: '50' });
const nats = await connectNats(NATS_URL, 'rpc-test', silentLog);
t.teardown(async () => {
  await nats.drain();
  await identity.close();
});
const client = createRpcClient(nats.nc, namespace(identity.ns), { timeoutMs: 5000 });

const PASSWORD = 'correct horse 42';
const id = await identity.seed({
  username: 'Mixed.Case',
  email: 'Someone@Example.org',
  phone: '+79001234567',
  roles: ['staff', 'admin'],
});
const view = {
  id,
  username: 'Mixed.Case',
  email: 'someone@example.org',
  phone: '+79001234567',
  roles: ['staff', 'admin'],
};

t.test('verifyPassword by username, e-mail (any case) and phone answers the AccountView', async (t) => {
  for (const [by, login] of [
    ['username', 'Mixed.Case'],
    ['username', 'mixed.case'], // any case too (issue 15); the view keeps the name as registered
    ['email', 'someone@example.org'],
    ['email', 'SOMEONE@example.ORG'],
    ['phone', '+79001234567'],
  ] as const) {
    t.same(
      await client.call(identityOps.verifyPassword, { by, login, password: PASSWORD, ip: '192.0.2.1' }),
      {
        account: view,
      },
      `${by} ${login}`,
    );
  }
});

t.test('verifyPassword: wrong password and unknown login are one typed error', async (t) => {
  for (const req of [
    { by: 'username', login: 'Mixed.Case', password: 'wrong password' },
    { by: 'username', login: 'Mixed.C\u0430se', password: PASSWORD }, // a look-alike: Cyrillic а
    { by: 'email', login: 'nobody@example.org', password: PASSWORD },
  ] as const) {
    await t.rejects(client.call(identityOps.verifyPassword, req), {
      name: 'PropuskError',
      code: 'invalid_credentials',
      status: 401,
      message: 'wrong login or password',
    });
  }
});

t.test('verifyPassword: too_many_attempts with details.retryAfter after the limit', async (t) => {
  const req = { by: 'phone', login: '+79990000000', password: 'wrong password' } as const;
  for (let i = 0; i < 2; i++)
    await t.rejects(client.call(identityOps.verifyPassword, req), { code: 'invalid_credentials' });
  const err = await client.call(identityOps.verifyPassword, req).catch((e: unknown) => e);
  t.match(err, { name: 'PropuskError', code: 'too_many_attempts', status: 429 });
  const retryAfter = (err as { details: { retryAfter: number } }).details.retryAfter;
  t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 900, `retryAfter ${retryAfter}`);
});

t.test('verifyPassword refuses a request outside its schema', async (t) => {
  await t.rejects(
    client.call(identityOps.verifyPassword, { by: 'username', login: '', password: PASSWORD }),
    { code: 'invalid_request' },
  );
  const raw = await nats.nc.request(
    `${identity.ns}.propusk.rpc.identity.verifyPassword`,
    JSON.stringify({ by: 'nickname', login: 'x', password: 'y' }),
    { timeout: 5000 },
  );
  t.match(raw.json(), { ok: false, error: { code: 'invalid_request' } });
});

t.test('getAccount answers the AccountView, or account_not_found', async (t) => {
  t.same(await client.call(identityOps.getAccount, { id }), { account: view });
  await t.rejects(client.call(identityOps.getAccount, { id: randomUUID() }), {
    name: 'PropuskError',
    code: 'account_not_found',
    status: 404,
  });
});
