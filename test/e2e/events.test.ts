import t from 'tap';
import { Writable } from 'node:stream';
import { jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import { createPrismaClient } from '@propusk/db';
import { bootSuite, eventually } from '@propusk/testkit';
import { createPrismaStaffStore, createStaffService } from '@propusk/identity/domain';
// The root package does not depend on kit or contracts by name: their sources, directly.
import {
  DOMAIN_EVENTS,
  EVENTS_STREAM,
  namespace,
  streamName,
  tokenOps,
  validate,
  type DomainEventDef,
} from '../../packages/contracts/src/index.js';
import {
  connectNats,
  createLogger,
  createRpcClient,
  ensureEventStream,
} from '../../packages/kit/src/index.js';
import { createUsers } from './helpers/accounts.js';
import { post } from './helpers/http.js';
import { decodePart } from './helpers/jws.js';
import { providerAccessToken, signIn } from './helpers/oauth.js';
import { newPerson as newProviderPerson, signedInAt } from './helpers/people.js';
import { tokenId } from './helpers/tokens.js';
import { newPerson, registrationBody, V2, v2Client } from './helpers/v2.js';

// Domain events end to end (docs/events.md): the six real processes, real flows of every profile
// through the gateway, and a JetStream consumer on the suite's events stream. Every documented
// event must arrive, match its schema, carry the ids of the flow that caused it (account, token,
// request id across NATS hops), and no undocumented `auth.*` subject may appear.

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const silentLog = createLogger({
  service: 'e2e',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

interface Seen {
  subject: string;
  msgId: string | undefined;
  event: Record<string, unknown>;
}

const ENV = {
  // Three wrong passwords for one login, then the throttle answers (auth.login.failed `throttled`).
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
  // Every request comes from 127.0.0.1: keep the per-IP limits out of the way.
  CODE_SENDS_PER_IP_PER_HOUR: '10000',
  CODE_CHECK_FAILURES_PER_IP: '10000',
};

t.test('domain events of every flow arrive on JetStream, as documented', async (t) => {
  const suite = await bootSuite({ env: ENV });
  const ns = namespace(suite.env.PROPUSK_NAMESPACE);
  const nats = await connectNats(suite.env.NATS_URL ?? NATS_URL, 'e2e-events', silentLog);
  const jsm = await jetstreamManager(nats.nc);
  const reading: { messages?: ConsumerMessages } = {};
  t.teardown(async () => {
    await reading.messages?.close();
    await jsm.streams.delete(streamName(ns, EVENTS_STREAM)).catch(() => undefined);
    await nats.drain();
    await suite.stop();
  });
  const { url, standIns } = suite;
  const client = createRpcClient(nats.nc, ns, { timeoutMs: 10_000 });

  // The stream as the services ensure it (in as many replicas: on clusters a stream changing
  // its replica count moves its leader, and events published meanwhile are dropped, by design);
  // an ordered consumer reads it from the first event.
  await ensureEventStream(nats.nc, ns, Number(suite.env.JETSTREAM_REPLICAS ?? 1));
  const seen: Seen[] = [];
  const consumer = await jetstream(nats.nc).consumers.get(streamName(ns, EVENTS_STREAM));
  const messages = await consumer.consume();
  reading.messages = messages;
  void (async () => {
    for await (const m of messages) {
      seen.push({ subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), event: m.json() });
    }
  })().catch(() => undefined);

  const subjectOf = (d: DomainEventDef) => `${ns.prefix}auth.${d.name}`;
  const named = (name: string) =>
    seen.filter((s) => s.subject === `${ns.prefix}auth.${name}`).map((s) => s.event);
  /** Waits until an event of `name` matching `fields` has arrived; answers it. */
  async function arrived(name: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    const match = () => named(name).find((e) => Object.entries(fields).every(([k, v]) => e[k] === v));
    await eventually(async () => match() !== undefined, 10_000, 50).catch(() => {
      throw new Error(`no auth.${name} with ${JSON.stringify(fields)}; got ${JSON.stringify(named(name))}`);
    });
    return match()!;
  }
  /** What no event may carry: codes, passwords, tokens, e-mail addresses, phone numbers. */
  const secrets: string[] = [];
  const accountOf = async (token: string) => (await client.call(tokenOps.introspect, { token })).sub!;

  t.test('admin-telegram: code by Telegram, registration, logins, refresh reuse', async (t) => {
    const prisma = createPrismaClient(suite.databaseUrl);
    await createStaffService({ store: createPrismaStaffStore(prisma) }).add('EvStaff');
    await prisma.$disconnect();
    const chatId = 7_700_001;
    const password = 'ev-staff-password-1';
    standIns.telegram.sendStart({ chatId, username: 'evstaff' });
    await standIns.telegram.waitForMessage((m) => String(m.chat_id) === String(chatId), 20_000);
    let res = await post(url, '/api/v1/admin/registration/code', { json: { username: 'EvStaff', password } });
    await eventually(async () => {
      if (res.status === 409)
        res = await post(url, '/api/v1/admin/registration/code', { json: { username: 'EvStaff', password } });
      return res.status !== 409;
    }, 10_000);
    t.equal(res.status, 200, res.text);
    const message = await standIns.telegram.waitForMessage(
      (m) => String(m.chat_id) === String(chatId) && /\b\d{6}\b/.test(m.text),
      20_000,
    );
    const code = /\b(\d{6})\b/.exec(message.text)![1]!;
    secrets.push(code, password);
    await arrived('code.issued', { purpose: 'admin-registration', channel: 'telegram' });
    await arrived('code.sent', { purpose: 'admin-registration', channel: 'telegram' });

    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    t.equal((await post(url, '/api/v1/admin/registration', { json: { code: wrong } })).status, 400);
    await arrived('code.failed', { purpose: 'admin-registration', reason: 'invalid' });
    t.equal((await post(url, '/api/v1/admin/registration', { json: { code } })).status, 200);
    await arrived('code.verified', { purpose: 'admin-registration' });
    const registered = await arrived('user.registered', {
      profile: 'admin-telegram',
      method: 'telegram_code',
    });

    const auth = (json: unknown) => post(url, '/api/v1/admin/auth', { json });
    t.equal((await auth({ username: 'EvStaff', password: 'not-the-password' })).status, 401);
    await arrived('login.failed', {
      profile: 'admin-telegram',
      reason: 'wrong_password',
      accountId: registered.accountId,
    });
    t.equal((await auth({ username: 'EvNobody', password })).status, 401);
    await arrived('login.failed', { profile: 'admin-telegram', reason: 'unknown_user' });

    const first = await auth({ username: 'EvStaff', password });
    t.equal(first.status, 200, first.text);
    const pair = first.body as { access_token: string; refresh_token: string };
    await arrived('login.succeeded', { profile: 'admin-telegram', accountId: registered.accountId });
    await arrived('session.created', { profile: 'admin-telegram', accountId: registered.accountId });

    // Rotate twice, then present the first refresh token: its successor is used already, so
    // this is reuse whatever grace a client's crossing refreshes get.
    const second = await auth({ refresh_token: pair.refresh_token });
    t.equal(second.status, 200, second.text);
    await arrived('session.revoked', { profile: 'admin-telegram', jti: tokenId(pair.access_token) });
    const third = await auth({ refresh_token: (second.body as typeof pair).refresh_token });
    secrets.push(pair.access_token, pair.refresh_token);
    t.equal(third.status, 200, third.text);
    t.equal((await auth({ refresh_token: pair.refresh_token })).status, 401);
    await arrived('refresh.reused', { profile: 'admin-telegram', tokenId: tokenId(pair.refresh_token) });
    await arrived('session.revoked', {
      profile: 'admin-telegram',
      jti: tokenId((third.body as typeof pair).access_token),
    });
  });

  t.test('v2: registration, code sign-in by SMS, recovery by e-mail; request ids cross NATS', async (t) => {
    const v2 = v2Client(suite);
    const p = newPerson();
    const reg = await post(url, V2.registration, {
      json: registrationBody(p),
      headers: { 'x-request-id': 'ev-v2-registration-01' },
    });
    t.equal(reg.status, 200, reg.text);
    const token = (reg.body as { data: { token: string } }).data.token;
    const accountId = decodePart(token, 1).sub as string;
    secrets.push(token, p.email_address, p.e164, p.password);
    const registered = await arrived('user.registered', { profile: 'v2', accountId });
    t.match(registered, { method: 'password', requestId: 'ev-v2-registration-01' });
    const session = await arrived('session.created', { profile: 'v2', accountId, sessionId: tokenId(token) });
    t.equal(session.requestId, 'ev-v2-registration-01', 'identity → token over NATS keeps the request id');

    const sms = await v2.smsCode(p.e164, () =>
      post(url, V2.loginByPhone, {
        json: { phone_number: p.e164 },
        headers: { 'x-request-id': 'ev-v2-sms-code-01' },
      }),
    );
    const sent = await arrived('code.sent', { purpose: 'v2-login', channel: 'sms' });
    t.equal(sent.requestId, 'ev-v2-sms-code-01', 'identity → verification → JetStream → notification');
    t.equal(
      (await arrived('code.issued', { purpose: 'v2-login', channel: 'sms' })).requestId,
      'ev-v2-sms-code-01',
    );
    const byCode = await v2.signInWithCode(p.e164, sms.code);
    secrets.push(sms.code, byCode);
    await arrived('code.verified', { purpose: 'v2-login' });
    await arrived('login.succeeded', { profile: 'v2', method: 'code', by: 'phone', accountId });
    await arrived('session.created', { profile: 'v2', accountId, sessionId: tokenId(byCode) });

    t.equal((await post(url, V2.code, { json: { login: p.e164, code: sms.code } })).status, 422);
    await arrived('login.failed', { profile: 'v2', method: 'code', reason: 'wrong_code', accountId });

    // The phone is proven now: the e-mail takes a recovery code only once the signed-in owner
    // proved it too (issue 15, an unproven contact never enters).
    const proof = await v2.mailCode(p.email_address, () =>
      post(url, V2.verification, {
        json: { login: p.email_address },
        headers: { authorization: `Bearer ${byCode}` },
      }),
    );
    secrets.push(proof.code, await v2.signInWithCode(p.email_address, proof.code));
    const mail = await v2.mailCode(p.email_address, () =>
      post(url, V2.passwordRecovery, { json: { login: p.email_address } }),
    );
    await arrived('code.sent', { purpose: 'v2-recovery', channel: 'email' });
    const recovery = await v2.signInWithCode(p.email_address, mail.code);
    secrets.push(mail.code, recovery);
    const changed = await post(url, V2.password, {
      json: { password: `Brand-new-secret-${Date.now()}` },
      headers: { authorization: `Bearer ${recovery}` },
    });
    t.equal(changed.status, 200, changed.text);
    await arrived('password.changed', { profile: 'v2', method: 'recovery', accountId });
    await arrived('session.revoked', { profile: 'v2', jti: tokenId(byCode) });

    t.equal(
      (
        await post(url, V2.loginByPassword, {
          json: { email_address: p.email_address, password: p.password },
        })
      ).status,
      401,
    );
    await arrived('login.failed', {
      profile: 'v2',
      method: 'password',
      by: 'email',
      reason: 'wrong_password',
      accountId,
    });
  });

  t.test('authorization: registration and login by e-mail; federated registration and login', async (t) => {
    const email = `ev.authz.${Date.now()}@example.org`;
    const password = 'ev-authz-password-1';
    const reg = await post(url, '/authorization/registration', {
      json: { phone_number: '+79005550101', email, hash_password: password },
    });
    t.equal(reg.status, 200, reg.text);
    const accountId = await accountOf((reg.body as { access: string }).access);
    secrets.push(email, password, '+79005550101', (reg.body as { refresh: string }).refresh);
    await arrived('user.registered', { profile: 'authorization', method: 'password', accountId });
    await arrived('session.created', { profile: 'authorization', accountId });
    const login = await post(url, '/authorization/login/email', { json: { email, hash_password: password } });
    t.equal(login.status, 200, login.text);
    await arrived('login.succeeded', {
      profile: 'authorization',
      method: 'password',
      by: 'email',
      accountId,
    });

    const person = newProviderPerson('events');
    signedInAt(standIns, 'vk', person);
    secrets.push(person.email, person.phone, person.subject);
    const vkReg = await signIn(url, 'vk', 'registration', await providerAccessToken(url, 'vk'));
    t.equal(vkReg.status, 200, vkReg.text);
    const vkAccount = await accountOf((vkReg.body as { access: string }).access);
    await arrived('user.registered', { method: 'federated', provider: 'vk', accountId: vkAccount });
    await arrived('federated.linked', { provider: 'vk', accountId: vkAccount });
    const vkLogin = await signIn(url, 'vk', 'login', await providerAccessToken(url, 'vk'));
    t.equal(vkLogin.status, 200, vkLogin.text);
    await arrived('login.succeeded', { method: 'federated', provider: 'vk', accountId: vkAccount });

    signedInAt(standIns, 'yandex', newProviderPerson('events'));
    const unknown = await signIn(url, 'yandex', 'login', await providerAccessToken(url, 'yandex'));
    t.equal(unknown.status, 404, unknown.text);
    await arrived('login.failed', { method: 'federated', provider: 'yandex', reason: 'unknown_identity' });
  });

  t.test('drf and envelope: login, logout, role refused, throttled', async (t) => {
    await createUsers(suite.databaseUrl, [{ username: 'ev_drf', password: 'ev-drf-password-1' }]);
    const res = await post(url, '/api/v1/login/', {
      json: { username: 'ev_drf', password: 'ev-drf-password-1' },
    });
    t.equal(res.status, 200, res.text);
    const token = (res.body as { data: { token: string } }).data.token;
    const accountId = await accountOf(token);
    secrets.push(token, 'ev-drf-password-1', 'ev_drf');
    await arrived('login.succeeded', { profile: 'drf', by: 'username', accountId });
    await arrived('session.created', { profile: 'drf', accountId, sessionId: tokenId(token) });
    t.equal(
      (await post(url, '/api/v1/logout/', { headers: { authorization: `Token ${token}` } })).status,
      200,
    );
    await arrived('session.revoked', { profile: 'drf', jti: tokenId(token) });

    const admin = await post(url, '/api/v1/auth/admin/', {
      json: { username: 'ev_drf', password: 'ev-drf-password-1' },
    });
    t.equal(admin.status, 401, 'no admin role: answered like a wrong password');
    await arrived('login.failed', { profile: 'envelope', reason: 'not_permitted', accountId });
    const user = await post(url, '/api/v1/auth/user/', {
      json: { username: 'ev_drf', password: 'ev-drf-password-1' },
    });
    t.equal(user.status, 200, user.text);
    await arrived('session.created', { profile: 'envelope', accountId });

    for (let i = 0; i < 3; i++)
      await post(url, '/api/v1/login/', { json: { username: 'ev_drf', password: 'wrong-1' } });
    const throttled = await post(url, '/api/v1/login/', {
      json: { username: 'ev_drf', password: 'wrong-1' },
    });
    t.equal(throttled.status, 429, throttled.text);
    await arrived('login.failed', { profile: 'drf', reason: 'throttled' });
  });

  t.test('every documented event arrived, valid, with unique ids; nothing undocumented', async (t) => {
    const documented = new Map(DOMAIN_EVENTS.map((d) => [subjectOf(d), d]));
    for (const d of DOMAIN_EVENTS) t.ok(named(d.name).length > 0, `auth.${d.name} arrived`);
    for (const s of seen) {
      const def = documented.get(s.subject);
      t.ok(def, `${s.subject} is a documented event`);
      if (!def) continue;
      if (!validate(def.schema, s.event))
        t.fail(`${s.subject} does not match its schema: ${JSON.stringify(s.event)}`);
      t.equal(s.msgId, s.event.id, `${s.subject}: its id is its Nats-Msg-Id`);
    }
    const ids = seen.map((s) => s.event.id);
    t.equal(new Set(ids).size, ids.length, 'every event has its own id');
    const all = JSON.stringify(seen.map((s) => s.event));
    t.ok(secrets.length > 20, 'secrets were collected');
    const leaked = secrets.filter((secret) => all.includes(secret));
    t.same(leaked, [], 'no code, password, token, e-mail, phone, username or provider id in any event');
    const outside = seen.filter((s) => !documented.has(s.subject)).map((s) => s.subject);
    t.same(outside, [], 'no undocumented subject');
  });
});
