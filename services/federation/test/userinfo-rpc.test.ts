// federation.userInfo over real NATS, answered by the real federation process and called
// through kit's typed RPC client: the profile and client id, and typed provider errors.
import t from 'tap';
import { federationOps, namespace, rpcSubject } from '@propusk/contracts';
import { connectNats, createRpcClient } from '@propusk/kit';
import { NATS_URL } from './fixtures/fake-dependencies.js';
import { bootFederation } from './fixtures/federation.js';
import { expectedProfile, newPerson, standInOf, tokenFor } from './fixtures/people.js';
import { silentLog } from './fixtures/silent-log.js';
import { startOAuthStandIns, TEST_TIMEOUT_MS } from './fixtures/stand-ins.js';

const standIns = await startOAuthStandIns();
t.teardown(() => standIns.close());
// Mail.ru left unconfigured: its user info is provider_not_configured.
const federation = await bootFederation(standIns, { MAILRU_CLIENT_ID: '' });
t.teardown(() => federation.close());
const nats = await connectNats(NATS_URL, 'userinfo-rpc-test', silentLog);
t.teardown(() => nats.drain());
const client = createRpcClient(nats.nc, namespace(federation.ns), { timeoutMs: 5000 });
const call = (provider: 'vk' | 'yandex' | 'mailru', accessToken: string) =>
  client.call(federationOps.userInfo, { provider, accessToken });

for (const id of ['vk', 'yandex'] as const) {
  t.test(`${id}: the profile, and the client the token was issued to`, async (t) => {
    const person = newPerson();
    t.same(await call(id, tokenFor(standIns, id, person)), {
      profile: expectedProfile(id, person),
      clientId: standInOf(standIns, id).clientId,
    });
  });

  t.test(`${id}: refused, foreign and unanswered tokens are typed errors`, async (t) => {
    await t.rejects(call(id, 'no-such-token'), {
      name: 'PropuskError',
      code: 'provider_token_invalid',
      status: 401,
    });
    await t.rejects(call(id, tokenFor(standIns, id, newPerson(), 'someone-else')), {
      name: 'PropuskError',
      code: 'provider_token_foreign',
      status: 401,
      message: /issued to another application$/,
    });
    const standIn = standInOf(standIns, id);
    standIn.setOutage('timeout');
    t.teardown(() => standIn.setOutage(null));
    await t.rejects(call(id, tokenFor(standIns, id, newPerson())), {
      name: 'PropuskError',
      code: 'provider_unavailable',
      status: 502,
      message: new RegExp(`did not answer within ${TEST_TIMEOUT_MS} ms$`),
    });
  });
}

t.test('a provider without a client id: provider_not_configured', async (t) => {
  await t.rejects(call('mailru', 'anything'), {
    name: 'PropuskError',
    code: 'provider_not_configured',
    status: 404,
    message: 'Mail.ru sign-in is not configured',
  });
});

t.test('a request off the schema is refused by the server too', async (t) => {
  const raw = await nats.nc.request(
    rpcSubject(namespace(federation.ns), 'federation', 'userInfo'),
    new TextEncoder().encode(JSON.stringify({ provider: 'google', accessToken: 'x' })),
    { timeout: 5000 },
  );
  t.match(JSON.parse(new TextDecoder().decode(raw.data)), {
    ok: false,
    error: { code: 'invalid_request' },
  });
});
