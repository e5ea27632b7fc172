import t from 'tap';
import { bootSuite, eventually } from '@propusk/testkit';
import { GATEWAY_SETTINGS } from '../../../gateway/src/settings.js';
import type { Answer } from '../helpers/http.js';
import { callFrom } from '../helpers/source-ip.js';
import { startPrivateRedis } from '../helpers/servers.js';

// The gateway's per-IP request budgets with their DEFAULT settings (bootSuite raises them for
// every other test): credential routes answer 429 well before 100 requests, in each profile's
// shape with Retry-After; every route shares the general budget; forwarding headers change
// nothing; and with Redis gone the credential routes fail closed (503). The suite runs on a
// private redis-server, so stopping it disturbs no one else.

const CREDENTIALS = GATEWAY_SETTINGS.RATE_LIMIT_CREDENTIALS_PER_IP.default;
const GENERAL = GATEWAY_SETTINGS.RATE_LIMIT_PER_IP.default;
const WINDOW_S = GATEWAY_SETTINGS.RATE_LIMIT_WINDOW_S.default;
interface CredentialCase {
  profile: string;
  path: string;
  /** A request the service refuses cheaply (no password hash): what counts is that it is counted. */
  json: unknown;
  shape(t: Tap, res: Answer): void;
}

type Tap = Pick<typeof t, 'same' | 'match' | 'equal'>;

const CASES: CredentialCase[] = [
  {
    profile: 'drf',
    path: '/api/v1/login/',
    json: {},
    shape: (t, res) =>
      t.same(res.body, {
        result: { status: 429, message: 'Слишком много запросов. Повторите попытку позже.' },
        data: {},
      }),
  },
  {
    profile: 'envelope',
    path: '/api/v1/auth/user/',
    json: {},
    shape: (t, res) => t.same(res.body, { data: {}, errors: [{ code: 3001, message: 'too many attempts' }] }),
  },
  {
    profile: 'admin-telegram',
    path: '/api/v1/admin/registration',
    json: {},
    shape: (t, res) =>
      t.same(res.body, { message: 'too many requests; wait as Retry-After says, then retry' }),
  },
  {
    profile: 'v2',
    path: '/v2/auth/registration',
    json: {},
    shape: (t, res) =>
      t.same(res.body, { code: 429, message: 'Слишком много запросов, повторите попытку позже' }),
  },
  {
    profile: 'authorization',
    path: '/authorization/registration',
    json: {},
    shape: (t, res) => t.same(res.body, { detail: 'Too many requests, retry later' }),
  },
];

t.test('the gateway rate limit with its default settings', async (t) => {
  t.ok(CREDENTIALS < 100, `credential budget ${CREDENTIALS} per ${WINDOW_S} s`);
  // Without an append-only file, as the machine's shared Redis runs: the restart starts empty.
  const redis = await startPrivateRedis({ persistent: false });
  t.teardown(() => redis.dispose());
  const suite = await bootSuite({
    env: {
      REDIS_URL: redis.url,
      RATE_LIMIT_PER_IP: String(GENERAL),
      RATE_LIMIT_CREDENTIALS_PER_IP: String(CREDENTIALS),
      RATE_LIMIT_WINDOW_S: String(WINDOW_S),
    },
  });
  t.teardown(() => suite.stop());
  const { url } = suite;

  t.test('credential routes: 429 after the budget, in each profile shape, with Retry-After', async (t) => {
    let client = 10;
    for (const c of CASES) {
      const from = `127.0.1.${client++}`;
      let limitedAt = 0;
      let last: Answer | undefined;
      for (let i = 1; i <= 100 && !limitedAt; i++) {
        last = await callFrom(from, url, 'POST', c.path, { json: c.json });
        if (last.status === 429) limitedAt = i;
        else if (last.status >= 500) t.fail(`${c.profile}: request ${i} answered ${last.status}`);
      }
      t.equal(limitedAt, CREDENTIALS + 1, `${c.profile}: request ${CREDENTIALS + 1} is the first refused`);
      const wait = Number(last?.headers.get('retry-after'));
      t.ok(Number.isInteger(wait) && wait >= 1 && wait <= WINDOW_S, `${c.profile}: Retry-After ${wait}`);
      c.shape(t, last as Answer);
      const forged = await callFrom(from, url, 'POST', c.path, {
        json: c.json,
        headers: {
          'x-forwarded-for': '203.0.113.9',
          'x-real-ip': '203.0.113.9',
          forwarded: 'for=203.0.113.9',
        },
      });
      t.equal(forged.status, 429, `${c.profile}: a forged X-Forwarded-For does not reset the budget`);
    }
    // The credential budget is the address's, across profiles; another address has its own.
    const shared = await callFrom('127.0.1.10', url, 'POST', '/v2/auth/loginByPassword', { json: {} });
    t.equal(shared.status, 429, 'one address, one credential budget across every profile');
    const other = await callFrom('127.0.1.99', url, 'POST', '/api/v1/login/', { json: {} });
    t.equal(other.status, 400, 'another address is not affected');
    const general = await callFrom('127.0.1.10', url, 'GET', '/.well-known/openid-configuration');
    t.equal(general.status, 200, 'other routes still answer the throttled address');
  });

  t.test('every route: the general budget', async (t) => {
    const from = '127.0.1.50';
    let limitedAt = 0;
    let last: Answer | undefined;
    for (let i = 1; i <= GENERAL + 1 && !limitedAt; i++) {
      last = await callFrom(from, url, 'GET', '/.well-known/openid-configuration');
      if (last.status === 429) limitedAt = i;
    }
    t.equal(limitedAt, GENERAL + 1, `request ${GENERAL + 1} is refused`);
    t.same(last?.body, {
      error: 'temporarily_unavailable',
      error_description: 'too many requests; retry later',
    });
    t.ok(Number(last?.headers.get('retry-after')) >= 1, 'Retry-After');
    const login = await callFrom(from, url, 'POST', '/api/v1/login/', { json: {} });
    t.equal(login.status, 429, 'a credential route from the same address too');
  });

  t.test('Redis down: credential routes fail closed (503), other routes go on', async (t) => {
    await redis.kill();
    const from = '127.0.1.70';
    const login = await callFrom(from, url, 'POST', '/api/v1/login/', {
      json: { username: 'a', password: 'b' },
    });
    t.equal(login.status, 503);
    t.same(login.body, {
      result: { status: 503, message: 'Сервис временно недоступен, попробуйте позже.' },
      data: {},
    });
    const code = await callFrom(from, url, 'POST', '/v2/auth/code', {
      json: { login: '+79160000000', code: '123456' },
    });
    t.equal(code.status, 503, 'a code submission too');
    t.match(code.body, { code: 503 });
    const jwks = await callFrom(from, url, 'GET', '/.well-known/jwks.json');
    t.equal(jwks.status, 200, 'the JWKS needs no counter: served');
    await redis.restart();
    await eventually(
      async () => (await callFrom(from, url, 'POST', '/api/v1/login/', { json: {} })).status === 400,
      15_000,
      250,
    );
    t.pass('Redis back: the credential routes answer again');
  });
});
