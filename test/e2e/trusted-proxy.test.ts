import t from 'tap';
import { bootSuite } from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';
import { ADMIN } from './helpers/admin-telegram.js';
import type { Answer } from './helpers/http.js';
import { callFrom } from './helpers/source-ip.js';
import { newPerson, V2, v2Client } from './helpers/v2.js';

// TRUSTED_PROXIES through the real gateway: behind the proxy (the test speaks from 127.0.0.1, the
// trusted address, naming each client in X-Forwarded-For as a load balancer would) every per-IP
// budget counts the client the proxy names: the gateway's credential budget, code sends, code
// checks, login failures. One client that exhausts a budget leaves the others untouched. A peer
// that is not trusted (127.0.0.2) is its own client, whatever forwarding headers it sends.
// Budgets are lowered to keep the test short; each subtest uses client addresses of its own.

const PROXY = '127.0.0.1';
const UNTRUSTED_PEER = '127.0.0.2';
const LOGIN_PER_IP = 3;
const CODE_SENDS_PER_IP = 2;
const CODE_CHECKS_PER_IP = 3;
const GATEWAY_CREDENTIALS_PER_IP = 12;

t.test('per-IP budgets behind a trusted proxy, through the gateway', async (t) => {
  const suite = await bootSuite({
    env: {
      TRUSTED_PROXIES: `${PROXY},10.0.0.0/8`,
      LOGIN_MAX_FAILURES_PER_IP: String(LOGIN_PER_IP),
      LOGIN_FAILURE_WINDOW_S: '120',
      CODE_SENDS_PER_IP_PER_HOUR: String(CODE_SENDS_PER_IP),
      CODE_CHECK_FAILURES_PER_IP: String(CODE_CHECKS_PER_IP),
      RATE_LIMIT_CREDENTIALS_PER_IP: String(GATEWAY_CREDENTIALS_PER_IP),
    },
  });
  t.teardown(() => suite.stop());
  const { url } = suite;
  const user = { username: 'tp_user', password: 'trusted-proxy-pass-1' };
  await createUsers(suite.databaseUrl, [user]);

  /** A request the proxy relays for `forwardedFor` (its X-Forwarded-For, the client last). */
  const viaProxy = (forwardedFor: string, path: string, json: unknown) =>
    callFrom(PROXY, url, 'POST', path, { json, headers: { 'x-forwarded-for': forwardedFor } });
  const drfLogin = (forwardedFor: string, username: string, password: string) =>
    viaProxy(forwardedFor, '/api/v1/login/', { username, password });

  /** Sends `attempt(i)` until it answers 429; answers the number of the attempt that did. */
  async function untilLimited(attempt: (i: number) => Promise<Answer>, max: number): Promise<number> {
    for (let i = 1; i <= max; i++) {
      const res = await attempt(i);
      if (res.status === 429) return i;
    }
    return -1;
  }

  t.test('login failures: the throttled client waits, the others sign in', async (t) => {
    const a = '198.51.100.10';
    const limitedAt = await untilLimited((i) => drfLogin(a, `nobody-${i}`, 'wrong-pass-1'), LOGIN_PER_IP + 1);
    t.equal(limitedAt, LOGIN_PER_IP + 1, `client ${a} throttled after ${LOGIN_PER_IP} failures`);
    t.equal((await drfLogin(a, user.username, user.password)).status, 429, 'even with the right password');
    const prepended = await drfLogin(`203.0.113.1, ${a}`, user.username, user.password);
    t.equal(
      prepended.status,
      429,
      'a hop the client wrote before the proxy appended its own: still that client',
    );

    const b = await drfLogin('198.51.100.20', user.username, user.password);
    t.equal(b.status, 200, 'another client behind the same proxy signs in');
    const chain = await drfLogin(`${a}, 198.51.100.21, 10.1.2.3`, user.username, user.password);
    t.equal(chain.status, 200, 'the right-most hop no trusted proxy added is the client');
  });

  t.test('code sends: the client over its hourly budget waits, the others get codes', async (t) => {
    const v2 = v2Client(suite);
    const people = [newPerson(), newPerson(), newPerson()];
    for (const p of people) await v2.register(p);
    const code = (forwardedFor: string, phone: string) =>
      viaProxy(forwardedFor, V2.loginByPhone, { phone_number: phone });
    const a = '198.51.100.30';
    for (const p of people.slice(0, CODE_SENDS_PER_IP)) {
      t.equal((await code(a, p.e164)).status, 200, `a code for ${p.e164} from ${a}`);
    }
    const over = await code(a, people[CODE_SENDS_PER_IP]!.e164);
    t.equal(over.status, 429, `a code past ${CODE_SENDS_PER_IP} per hour from ${a}`);
    t.match(over.body, { code: 105 }, 'answered 429:105, as document 003 says');
    const b = await v2.smsCode(people[CODE_SENDS_PER_IP]!.e164, () =>
      code('198.51.100.40', people[CODE_SENDS_PER_IP]!.e164),
    );
    t.equal(b.res.status, 200, 'the same code from another client is sent');
  });

  t.test('code checks: the guessing client is stopped, another is still heard', async (t) => {
    const guess = (forwardedFor: string, i: number) =>
      viaProxy(forwardedFor, ADMIN.registration, { code: 100_000 + i });
    const a = '198.51.100.50';
    const limitedAt = await untilLimited((i) => guess(a, i), CODE_CHECKS_PER_IP + 1);
    t.equal(limitedAt, CODE_CHECKS_PER_IP + 1, `client ${a} stopped after ${CODE_CHECKS_PER_IP} wrong codes`);
    const b = await guess('198.51.100.60', 0);
    t.equal(b.status, 400, 'another client gets its wrong code judged, not 429');
  });

  t.test("the gateway's credential budget: one client spent, the others not", async (t) => {
    // An empty registration costs no password hash; the gateway counts it all the same.
    const register = (forwardedFor: string) => viaProxy(forwardedFor, V2.registration, {});
    const a = '198.51.100.70';
    const limitedAt = await untilLimited(() => register(a), GATEWAY_CREDENTIALS_PER_IP + 1);
    t.equal(limitedAt, GATEWAY_CREDENTIALS_PER_IP + 1, `client ${a} refused after its budget`);
    const b = await register('198.51.100.80');
    t.equal(b.status, 422, 'another client is served');
  });

  t.test('a peer that is not trusted: spoofed forwarding headers change nothing', async (t) => {
    const spoofed = (i: number) => ({ 'x-forwarded-for': `192.0.2.${i}`, forwarded: `for=192.0.2.${i}` });
    const login = (i: number, username: string, password: string) =>
      callFrom(UNTRUSTED_PEER, url, 'POST', '/api/v1/login/', {
        json: { username, password },
        headers: spoofed(i),
      });
    const limitedAt = await untilLimited((i) => login(i, `stranger-${i}`, 'wrong-pass-1'), LOGIN_PER_IP + 1);
    t.equal(limitedAt, LOGIN_PER_IP + 1, 'a new address in each request did not split the budget');
    t.equal((await login(99, user.username, user.password)).status, 429, 'the peer itself is throttled');
    const named = await drfLogin('192.0.2.98', user.username, user.password);
    t.equal(named.status, 200, 'an address it claimed was never charged');
  });
});
