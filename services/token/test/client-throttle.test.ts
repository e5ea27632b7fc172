// Failed client authentications at /oauth2/introspect and /oauth2/revoke, counted in the real
// Redis (the shared server and a Redis Cluster): per (client id, address) first, then per client
// id from every address; a right secret never counts; a burst cannot slip past a budget; Redis
// down refuses (fail closed). Then the answers on the token service's HTTP surface.
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { isPropuskError } from '@propusk/contracts';
import { closeRedis, connectRedis, redisKeyPrefix } from '@propusk/kit';
import { deleteKeys, redisReady, redisTargets, scanKeys, type RedisUnderTest } from '@propusk/testkit';
import { createRedisClientThrottleStore } from '../src/oauth-clients/redis-throttle-store.js';
import { createClientAuthenticator } from '../src/oauth-clients/service.js';
import {
  clientCounterKeys,
  createClientAuthGuard,
  type ClientAuthLimits,
} from '../src/oauth-clients/throttle.js';
import { ALICE, buildDomain } from './fixtures/domain.js';
import { silentLog } from './fixtures/fakes.js';
import { basic, buildStandardApp, CLIENT } from './fixtures/http.js';

const REDIS_TARGETS = await redisTargets((fn) => t.teardown(fn));

const OWNER = { id: 'billing', secret: randomBytes(32).toString('hex') };
const OTHER = { id: 'reports', secret: randomBytes(32).toString('hex') };
const SETTING = `${OWNER.id}:${OWNER.secret},${OTHER.id}:${OTHER.secret}`;
const LIMITS: ClientAuthLimits = { perAddress: 3, perClient: 7, windowS: 600 };
const wrong = (id: string) => ({ id, secret: randomBytes(32).toString('hex') });

async function guardTests(t: Test, target: RedisUnderTest) {
  const prefix = redisKeyPrefix(`t${randomBytes(5).toString('hex')}`);
  const log = silentLog();
  const redis = await redisReady(connectRedis(target.url, prefix, log));
  const raw = await redisReady(connectRedis(target.url, '', log));
  t.teardown(async () => {
    await deleteKeys(raw, await scanKeys(raw, `${prefix}*`));
    await closeRedis(redis);
    await closeRedis(raw);
  });
  const guard = createClientAuthGuard({
    clients: createClientAuthenticator(SETTING),
    store: createRedisClientThrottleStore(redis),
    limits: LIMITS,
  });
  const counted = async (id: string, address?: string) => {
    const keys = clientCounterKeys(id, address);
    return Number((await redis.get(address === undefined ? keys.perClient : keys.perAddress)) ?? 0);
  };

  t.test('per address: the budget of failures, then 429 for that address only', async (t) => {
    const attacker = '198.51.100.1';
    for (let i = 0; i < LIMITS.perAddress; i++)
      t.strictSame(await guard.authenticate(wrong(OWNER.id), attacker), { outcome: 'refused' });
    const over = await guard.authenticate(wrong(OWNER.id), attacker);
    t.equal(over.outcome, 'throttled');
    const wait = (over as { retryAfterS: number }).retryAfterS;
    t.ok(wait > LIMITS.windowS - 10 && wait <= LIMITS.windowS, `Retry-After ${wait} s`);
    t.equal(
      (await guard.authenticate(OWNER, attacker)).outcome,
      'throttled',
      'the right secret from that address too: a 429 tells nothing about a guess',
    );
    t.strictSame(
      await guard.authenticate(OWNER, '198.51.100.2'),
      { outcome: 'authenticated', client: OWNER.id },
      "the owner's address goes on",
    );
    t.strictSame(await guard.authenticate(OTHER, attacker), { outcome: 'authenticated', client: OTHER.id });
    t.equal(await counted(OWNER.id), LIMITS.perAddress, 'only the failures counted for the client id');
  });

  t.test('a right secret never counts', async (t) => {
    const address = '198.51.100.3';
    for (let i = 0; i < 3 * LIMITS.perClient; i++)
      t.equal((await guard.authenticate(OTHER, address)).outcome, 'authenticated');
    t.equal(await counted(OTHER.id, address), 0);
    t.equal(await counted(OTHER.id), 0);
  });

  t.test('per client id: failures from many addresses lock the id for everyone', async (t) => {
    const id = 'reports';
    // perClient 7 with perAddress 3: three addresses spend it (3 + 3 + 1).
    const answers = [];
    for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
      for (let i = 0; i < LIMITS.perAddress; i++) answers.push(await guard.authenticate(wrong(id), address));
    t.equal(answers.filter((a) => a.outcome === 'refused').length, LIMITS.perClient);
    t.equal(answers.at(-1)?.outcome, 'throttled', 'the guess past the id budget is not answered');
    const owner = await guard.authenticate(OTHER, '192.0.2.200');
    t.equal(owner.outcome, 'throttled', 'the locked id refuses its right secret from a fresh address too');
    t.ok((owner as { retryAfterS: number }).retryAfterS > LIMITS.windowS - 10, 'until the window ends');
    t.equal((await guard.authenticate(OWNER, '192.0.2.200')).outcome, 'authenticated', 'other ids go on');
  });

  t.test('a burst of parallel guesses: exactly the budget is answered', async (t) => {
    const id = 'burst-client';
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => guard.authenticate(wrong(id), '198.51.100.40')),
    );
    t.equal(answers.filter((a) => a.outcome === 'refused').length, LIMITS.perAddress);
    t.equal(answers.filter((a) => a.outcome === 'throttled').length, 40 - LIMITS.perAddress);
    t.equal(await counted(id, '198.51.100.40'), LIMITS.perAddress);
  });

  t.test('IPv6: one /64 is one address; IPv4-mapped is its IPv4 address', async (t) => {
    const id = 'v6-client';
    for (let i = 1; i <= LIMITS.perAddress; i++)
      t.equal((await guard.authenticate(wrong(id), `2001:db8:1:2::${i}`)).outcome, 'refused');
    t.equal((await guard.authenticate(wrong(id), '2001:db8:1:2:ffff::9')).outcome, 'throttled');
    t.equal((await guard.authenticate(wrong(id), '2001:db8:1:3::1')).outcome, 'refused', 'another /64');
    for (let i = 0; i < LIMITS.perAddress; i++) await guard.authenticate(wrong('v4-client'), '192.0.2.9');
    t.equal((await guard.authenticate(wrong('v4-client'), '::ffff:192.0.2.9')).outcome, 'throttled');
  });

  t.test('both counters of a client lie in one slot: no CROSSSLOT on a cluster', async (t) => {
    t.equal(await target.crossSlotErrors(), 0);
  });
}

for (const target of REDIS_TARGETS)
  t.test(`the client authentication guard on real Redis (${target.name})`, (t) => guardTests(t, target));

t.test('Redis unreachable: every client authentication is refused as unavailable', async (t) => {
  const log = silentLog();
  const redis = connectRedis('redis://127.0.0.1:1', 'propusk:down:', log);
  t.teardown(() => closeRedis(redis));
  const guard = createClientAuthGuard({
    clients: createClientAuthenticator(SETTING),
    store: createRedisClientThrottleStore(redis),
    limits: LIMITS,
  });
  for (const presented of [OWNER, wrong(OWNER.id)]) {
    const err = await guard.authenticate(presented, '198.51.100.9').then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(isPropuskError(err) && err.code === 'unavailable', 'fails closed');
  }
});

t.test('HTTP: 429 temporarily_unavailable with Retry-After on both endpoints, by both methods', async (t) => {
  const d = await buildDomain();
  const app = await buildStandardApp(d, { limits: { perAddress: 2, perClient: 50, windowS: 600 } });
  t.teardown(() => app.close());
  const { token } = await d.drf.issue(ALICE);
  const post = (path: string, address: string, body: Record<string, string>, headers = {}) =>
    app.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': address,
        ...headers,
      },
      payload: new URLSearchParams({ token, ...body }).toString(),
    });
  const badSecret = randomBytes(32).toString('hex');
  const viaBasic = (path: string, address: string, secret: string) =>
    post(path, address, {}, { authorization: basic(CLIENT.id, secret) });
  const viaPost = (path: string, address: string, secret: string) =>
    post(path, address, { client_id: CLIENT.id, client_secret: secret });

  for (const [path, address, send] of [
    ['/oauth2/introspect', '198.51.100.61', viaBasic],
    ['/oauth2/revoke', '198.51.100.62', viaPost],
    ['/oauth2/introspect', '198.51.100.63', viaPost],
    ['/oauth2/revoke', '198.51.100.64', viaBasic],
  ] as const) {
    for (let i = 0; i < 2; i++) t.equal((await send(path, address, badSecret)).statusCode, 401);
    const res = await send(path, address, badSecret);
    t.equal(res.statusCode, 429, `${path} from ${address}`);
    t.strictSame(res.json(), {
      error: 'temporarily_unavailable',
      error_description: 'too many failed client authentications; retry later',
    });
    t.match(res.headers['retry-after'], /^\d+$/);
    t.ok(Number(res.headers['retry-after']) > 590, 'the rest of the window');
    t.equal(res.headers['cache-control'], 'no-store');
    t.equal((await send(path, address, CLIENT.secret)).statusCode, 429, 'the right secret too, there');
  }
  t.equal(
    (await viaBasic('/oauth2/introspect', '198.51.100.70', CLIENT.secret)).statusCode,
    200,
    'from another address the right secret works',
  );
  t.equal(
    (await post('/oauth2/introspect', '198.51.100.61', {}, { authorization: 'Basic !!' })).statusCode,
    401,
    'unreadable credentials test no secret: 401, not counted nor throttled',
  );
});
