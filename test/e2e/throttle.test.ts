import t from 'tap';
import { bootSuite } from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';
import { post, type Answer } from './helpers/http.js';

// Login throttling (DESIGN "Security baseline": per account and per IP) as clients of both
// profiles see it through the gateway: 429 with Retry-After, in each profile's shape. Limits
// are lowered through the identity service's settings to keep the test short.
const PER_ACCOUNT = 3;
const PER_IP = 8;

function retryAfter(t: Tap, res: Answer): void {
  const value = Number(res.headers.get('retry-after'));
  t.ok(
    Number.isInteger(value) && value >= 1 && value <= 120,
    `Retry-After: ${res.headers.get('retry-after')}`,
  );
}

interface Tap {
  ok(value: unknown, message: string): unknown;
}

t.test('login throttling through the gateway', async (t) => {
  const suite = await bootSuite({
    env: {
      LOGIN_MAX_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT),
      LOGIN_MAX_FAILURES_PER_IP: String(PER_IP),
      LOGIN_FAILURE_WINDOW_S: '120',
    },
  });
  t.teardown(() => suite.stop());
  await createUsers(suite.databaseUrl, [
    { username: 'victim', password: 'victim-pasword1' },
    { username: 'staff1', password: 'qwerty123-staff', roles: ['staff'] },
  ]);
  const url = suite.url;
  const drfLogin = (username: string, password: string, headers: Record<string, string> = {}) =>
    post(url, '/api/v1/login/', { json: { username, password }, headers });

  t.test('per account: after the limit even the right password gets 429, in both profiles', async (t) => {
    for (let i = 0; i < PER_ACCOUNT; i++) {
      const res = await drfLogin('victim', `wrong-guess-${i}`);
      t.equal(res.status, 401, `guess ${i + 1}`);
    }
    const drf = await drfLogin('victim', 'victim-pasword1');
    t.equal(drf.status, 429);
    retryAfter(t, drf);
    t.match(drf.body, { result: { status: 429, message: /Повторите попытку через \d+ сек/ }, data: {} });

    const envelope = await post(url, '/api/v1/auth/user/', {
      json: { username: 'victim', password: 'victim-pasword1' },
    });
    t.equal(envelope.status, 429);
    retryAfter(t, envelope);
    t.same(envelope.body, {
      data: { username: 'victim' },
      errors: [{ code: 3001, message: 'too many attempts' }],
    });

    const accounts = await post(url, '/api/v1/accounts/login/', {
      json: { username: 'victim', password: 'victim-pasword1' },
    });
    t.equal(accounts.status, 429, 'the /accounts/ spelling shares the counter');

    const other = await drfLogin('staff1', 'qwerty123-staff');
    t.equal(other.status, 200, 'another account is not affected');
  });

  t.test(
    'per IP: failures across many names throttle the address; a forged X-Forwarded-For does not help',
    async (t) => {
      let throttledAt = -1;
      for (let i = 0; i < PER_IP + 2 && throttledAt < 0; i++) {
        const res = await drfLogin(`nobody-${i}`, 'whatever-pass-1');
        if (res.status === 429) {
          throttledAt = i;
          retryAfter(t, res);
          t.match(res.body, { result: { status: 429 }, data: {} });
        } else {
          t.equal(res.status, 401, `nobody-${i}`);
        }
      }
      t.ok(
        throttledAt >= 0 && throttledAt <= PER_IP,
        `a first attempt on a fresh name was throttled (#${throttledAt})`,
      );
      const right = await drfLogin('staff1', 'qwerty123-staff');
      t.equal(right.status, 429, 'the right password from this address waits too');
      for (const forged of ['198.51.100.1', '198.51.100.2, 198.51.100.3']) {
        const res = await drfLogin('staff1', 'qwerty123-staff', {
          'x-forwarded-for': forged,
          'x-real-ip': forged,
        });
        t.equal(res.status, 429, `X-Forwarded-For: ${forged}`);
      }
      const envelope = await post(url, '/api/v1/auth/admin/', {
        json: { username: 'staff1', password: 'qwerty123-staff' },
      });
      t.equal(envelope.status, 429);
      t.same(envelope.body, {
        data: { username: 'staff1' },
        errors: [{ code: 3001, message: 'too many attempts' }],
      });
    },
  );
});
