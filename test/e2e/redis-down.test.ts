import t from 'tap';
import { bootSuite, eventually } from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';
import { get, post } from './helpers/http.js';
import { startPrivateRedis } from './helpers/servers.js';

// Redis down: token checks and logins fail closed (503 in each profile's shape), never let an
// unverifiable token through. A PRIVATE redis-server, so the machine's shared Redis is untouched.
const token = (res: { body: unknown }) => (res.body as { data: { token: string } }).data.token;

t.test('Redis down: the gateway and the services fail closed', async (t) => {
  // Without an append-only file, as the machine's shared Redis runs: the restart starts empty.
  const redis = await startPrivateRedis({ persistent: false });
  t.teardown(() => redis.dispose());
  const suite = await bootSuite({ env: { REDIS_URL: redis.url } });
  t.teardown(() => suite.stop());
  await createUsers(suite.databaseUrl, [
    { username: 'staff1', password: 'qwerty123-staff', roles: ['staff'] },
    { username: 'test_admin', password: 'test_admin_pasword1', roles: ['admin'] },
  ]);
  const url = suite.url;
  // Tokens issued before the outage, never yet seen by the gateway (nothing cached).
  const drf = token(
    await post(url, '/api/v1/login/', { json: { username: 'staff1', password: 'qwerty123-staff' } }),
  );
  const jwt = token(
    await post(url, '/api/v1/auth/admin/', {
      json: { username: 'test_admin', password: 'test_admin_pasword1' },
    }),
  );

  await redis.kill();

  t.test('drf: check_token and logout with a token answer 503 in the drf shape', async (t) => {
    for (const [path, json] of [
      ['/api/v1/check_token/', { username: 'staff1' }],
      ['/api/v1/accounts/logout/', undefined],
    ] as const) {
      const res = await post(url, path, { json, headers: { authorization: `Token ${drf}` } });
      t.equal(res.status, 503, path);
      t.match(res.body, { result: { status: 503, message: String }, data: {} });
    }
  });

  t.test(
    'envelope: a validly signed JWT whose revocation cannot be checked is not let through',
    async (t) => {
      const res = await get(url, '/api/v1/auth/logout/', { headers: { authorization: `Bearer ${jwt}` } });
      t.equal(res.status, 503);
      t.match(res.body, { data: {}, errors: [{ code: 3002, message: 'service unavailable' }] });
    },
  );

  t.test('logins fail closed (the throttle cannot count)', async (t) => {
    const drfLogin = await post(url, '/api/v1/login/', {
      json: { username: 'staff1', password: 'qwerty123-staff' },
    });
    t.equal(drfLogin.status, 503);
    t.match(drfLogin.body, { result: { status: 503 }, data: {} });
    const envLogin = await post(url, '/api/v1/auth/user/', {
      json: { username: 'test_admin', password: 'test_admin_pasword1' },
    });
    t.equal(envLogin.status, 503);
    t.match(envLogin.body, { errors: [{ code: 3001 }] });
  });

  t.test('answers that need no dependency are unchanged', async (t) => {
    const missing = await post(url, '/api/v1/check_token/', { json: { username: 'staff1' } });
    t.equal(missing.status, 401);
    t.same(missing.body, {
      result: { status: 401, message: 'Учетные данные не были предоставлены.' },
      data: {},
    });
    const garbage = await get(url, '/api/v1/auth/logout/', { headers: { authorization: 'Bearer garbage' } });
    t.equal(garbage.status, 401, 'an invalid JWT is refused without Redis');
  });

  t.test('Redis back: logins and token checks work again', async (t) => {
    await redis.restart();
    await eventually(
      async () => {
        const res = await post(url, '/api/v1/login/', {
          json: { username: 'staff1', password: 'qwerty123-staff' },
        });
        return res.status === 200;
      },
      15_000,
      250,
    );
    const fresh = token(
      await post(url, '/api/v1/login/', { json: { username: 'staff1', password: 'qwerty123-staff' } }),
    );
    const res = await post(url, '/api/v1/check_token/', {
      json: { username: 'staff1' },
      headers: { authorization: `Bearer ${fresh}` },
    });
    t.equal(res.status, 200);
  });
});
