import t from 'tap';
import { TELEGRAM_WEBHOOK_PATH, tokenId } from '../../packages/contracts/src/index.js';
import { signedHeaders } from '../../packages/kit/src/index.js';
import { bootSuite, eventually, freePort, gatewaySigned, metricsAuth } from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';
import { call, post } from './helpers/http.js';
import { newPerson, V2, v2Client } from './helpers/v2.js';

// The sealed inside: each of the five services answers only what the gateway signed. A request
// straight at a service's port (forged identity headers or none, a signature under another
// secret, a stale one) is refused with 401 before any handler runs; the same request through
// the gateway is served. The probes stay open for the orchestrator; /metrics wants its token.

const WEBHOOK_SECRET = 'sealed-test-webhook-secret';

/** One request per service, as a client (or Telegram) would make it through the gateway. */
interface Probe {
  service: string;
  method: 'GET' | 'POST';
  path: string;
  json?: unknown;
  headers?: Record<string, string>;
}

t.test('a request that skips the gateway is refused by every service', async (t) => {
  // The gateway's address must be known before the suite starts: the bot registers its webhook
  // there, so the Telegram stand-in delivers updates through the gateway, as Telegram would.
  const base = `http://127.0.0.1:${await freePort()}`;
  const suite = await bootSuite({
    env: {
      GATEWAY_PORT: new URL(base).port,
      PUBLIC_BASE_URL: base,
      TELEGRAM_WEBHOOK_URL: `${base}${TELEGRAM_WEBHOOK_PATH}`,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
  });
  t.teardown(() => suite.stop());
  const { url, standIns } = suite;
  const user = { username: 'sealed_user', password: 'sealed-user-pass-1' };
  await createUsers(suite.databaseUrl, [{ ...user, roles: ['staff'] }]);
  const login = await post(url, '/api/v1/login/', { json: user });
  t.equal(login.status, 200, 'a drf token through the gateway');
  const token = (login.body as { data: { token: string } }).data.token;
  const tokenValid = async () =>
    (
      await post(url, '/api/v1/check_token/', {
        json: { username: user.username },
        headers: { authorization: `Bearer ${token}` },
      })
    ).status === 200;
  await eventually(async () => standIns.telegram.webhook !== null, 20_000);

  /** A /start update as Telegram sends it (Bot API `Update`), for the direct attempt. */
  const startUpdate = (chatId: number) => ({
    update_id: chatId,
    message: {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      from: { id: chatId, is_bot: false, first_name: 'Sealed', username: `sealed${chatId}` },
      chat: { id: chatId, type: 'private', first_name: 'Sealed', username: `sealed${chatId}` },
      text: '/start',
      entities: [{ offset: 0, length: 6, type: 'bot_command' }],
    },
  });
  const probes: Probe[] = [
    { service: 'identity', method: 'POST', path: '/api/v1/login/', json: user },
    {
      service: 'token',
      method: 'POST',
      path: '/api/v1/logout/',
      // What the gateway would set after verifying the token: here forged by the caller.
      headers: {
        'x-propusk-subject': 'any',
        'x-propusk-username': user.username,
        'x-propusk-profile': 'drf',
        'x-propusk-token-id': tokenId(token),
        'x-propusk-roles': 'superuser',
        'x-propusk-token': token,
      },
    },
    { service: 'federation', method: 'GET', path: '/vk/link' },
    // Verification serves no route of its own (codes come over NATS): any path will do.
    {
      service: 'verification',
      method: 'POST',
      path: V2.code,
      json: { login: '+79260000001', code: '123456' },
    },
    {
      service: 'notification',
      method: 'POST',
      path: TELEGRAM_WEBHOOK_PATH,
      json: startUpdate(990_001),
      headers: { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
    },
  ];
  /** `p` sent straight to its service's own port. */
  const direct = (p: Probe, headers: Record<string, string> = p.headers ?? {}) =>
    call(suite.process(p.service).url, p.method, p.path, { json: p.json, headers });

  t.test('unsigned, with forged identity headers or none: 401 before any handler', async (t) => {
    for (const p of probes) {
      const res = await direct(p);
      t.equal(res.status, 401, `${p.service}: ${p.method} ${p.path}`);
      t.match(res.body, { error: 'unauthorized' }, `${p.service}: kit's refusal, not the route's`);
    }
    t.ok(await tokenValid(), 'the forged logout revoked nothing');
  });

  t.test('a signature under another secret, or a stale one: 401', async (t) => {
    for (const p of probes) {
      const headers = p.headers ?? {};
      const foreign = signedHeaders('not-the-internal-secret-0123456789abcdef', p.method, p.path, headers);
      t.equal((await direct(p, foreign)).status, 401, `${p.service}: another secret`);
      const stale = signedHeaders(suite.env.INTERNAL_SECRET!, p.method, p.path, headers, Date.now() - 60_000);
      t.equal((await direct(p, stale)).status, 401, `${p.service}: signed a minute ago`);
    }
    t.ok(await tokenValid(), 'still nothing revoked');
    const control = await direct(probes[0]!, gatewaySigned(suite, 'POST', '/api/v1/login/'));
    t.equal(control.status, 200, "control: signed with the suite's secret, identity serves the login");
  });

  t.test('the same requests through the gateway are served', async (t) => {
    const through = (service: string) => {
      const p = probes.find((p) => p.service === service)!;
      return call(url, p.method, p.path, { json: p.json, headers: p.headers });
    };
    t.equal((await through('identity')).status, 200, 'identity: the login');
    const link = await through('federation');
    t.equal(link.status, 200, 'federation: the VK ID link');
    t.match(link.body, /^https?:\/\/.+state=/, 'federation: an authorize URL');
    const v2 = v2Client(suite);
    const person = newPerson();
    await v2.register(person);
    const sms = await v2.smsCode(person.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: person.e164 } }),
    );
    t.equal(sms.res.status, 200, 'verification: a code issued and texted');

    standIns.telegram.sendStart({ chatId: 990_002, username: 'sealed990002' });
    const reply = await standIns.telegram.waitForMessage((m) => String(m.chat_id) === '990002', 20_000);
    t.type(
      reply.text,
      'string',
      'notification: an update Telegram delivered through the gateway was answered',
    );
    t.equal(
      standIns.telegram.sent.filter((m) => String(m.chat_id) === '990001').length,
      0,
      'notification: the update sent straight to the service was never handled',
    );

    const logout = await post(url, '/api/v1/logout/', { headers: { authorization: `Bearer ${token}` } });
    t.equal(logout.status, 200, 'token: the logout');
    t.notOk(await tokenValid(), 'token: now the token is revoked');
  });

  t.test('probes answer unsigned; /metrics only with its bearer token', async (t) => {
    for (const p of suite.processes) {
      t.equal((await call(p.url, 'GET', '/healthz')).status, 200, `${p.name}: /healthz`);
      t.equal((await call(p.url, 'GET', '/readyz')).status, 200, `${p.name}: /readyz`);
      t.equal((await call(p.url, 'GET', '/metrics')).status, 401, `${p.name}: /metrics without the token`);
      const scrape = await call(p.url, 'GET', '/metrics', { headers: metricsAuth(suite) });
      t.equal(scrape.status, 200, `${p.name}: /metrics with it`);
    }
  });
});
