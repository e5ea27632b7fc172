// The Redis link store against the real Redis (a namespace of its own): NX puts, expiry,
// atomic single-use takes under concurrency, hashed keys, corrupt records, Redis down.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { closeRedis, connectRedis, redisKeyPrefix } from '@propusk/kit';
import { waitFor } from '@propusk/stand-ins';
import { createRedisLinkStore, codeKey, stateKey } from '../src/links/redis-store.js';
import { createLinkService } from '../src/links/service.js';
import { silentLog } from './fixtures/silent-log.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ns = `t${randomBytes(5).toString('hex')}`;
const prefix = redisKeyPrefix(ns);
const redis = connectRedis(REDIS_URL, prefix, silentLog);
const raw = connectRedis(REDIS_URL, '', silentLog);
await Promise.all(
  [redis, raw].map((c) => new Promise((r) => (c.status === 'ready' ? r(undefined) : c.once('ready', r)))),
);
t.teardown(async () => {
  const keys = await raw.keys(`${prefix}*`);
  if (keys.length) await raw.del(...keys);
  await closeRedis(redis);
  await closeRedis(raw);
});
const store = createRedisLinkStore(redis);

t.test('a state: stored NX under the namespace with its TTL, taken once', async (t) => {
  t.equal(await store.putState('s1', { provider: 'vk', verifier: 'v1', browser: 'b' }, 600), true);
  t.equal(await store.putState('s1', { provider: 'yandex', verifier: 'v2', browser: 'b' }, 600), false, 'NX');
  const ttl = await raw.ttl(`${prefix}${stateKey('s1')}`);
  t.ok(ttl > 590 && ttl <= 600, `ttl ${ttl}`);
  t.same(await store.takeState('s1'), { provider: 'vk', verifier: 'v1', browser: 'b' });
  t.equal(await store.takeState('s1'), undefined, 'gone after one take');
  t.equal(await raw.exists(`${prefix}${stateKey('s1')}`), 0);
});

t.test('a code binding: stored NX with its TTL, taken once, device_id kept', async (t) => {
  const binding = { provider: 'vk' as const, verifier: 'v', state: 's', browser: 'b', deviceId: 'd' };
  t.equal(await store.putCode('c1', binding, 300), true);
  t.equal(await store.putCode('c1', { ...binding, verifier: 'other' }, 300), false);
  const ttl = await raw.ttl(`${prefix}${codeKey('c1')}`);
  t.ok(ttl > 290 && ttl <= 300, `ttl ${ttl}`);
  t.same(await store.takeCode('c1'), binding);
  t.equal(await store.takeCode('c1'), undefined);
  await store.putCode('c2', { provider: 'mailru', verifier: 'v', state: 's', browser: 'b' }, 300);
  t.same(await store.takeCode('c2'), { provider: 'mailru', verifier: 'v', state: 's', browser: 'b' });
});

t.test('records expire by themselves', async (t) => {
  await store.putState('short', { provider: 'vk', verifier: 'v', browser: 'b' }, 1);
  await redis.pexpire(stateKey('short'), 50);
  await waitFor(async () => (await redis.exists(stateKey('short'))) === 0, 2000, 'expiry');
  t.equal(await store.takeState('short'), undefined);
});

t.test('concurrent takes of one state or code: exactly one wins', async (t) => {
  await store.putState('race', { provider: 'yandex', verifier: 'v', browser: 'b' }, 600);
  await store.putCode('race', { provider: 'yandex', verifier: 'v', state: 's', browser: 'b' }, 600);
  const states = await Promise.all(Array.from({ length: 30 }, () => store.takeState('race')));
  const codes = await Promise.all(Array.from({ length: 30 }, () => store.takeCode('race')));
  t.equal(states.filter(Boolean).length, 1);
  t.equal(codes.filter(Boolean).length, 1);
});

t.test('corrupt or foreign records count as unknown (and are spent)', async (t) => {
  for (const value of [
    'not json',
    '{"provider":"github","verifier":"v","browser":"b"}',
    '{"provider":"vk"}',
    '{"provider":"vk","verifier":"v","state":"s"}',
    'null',
  ]) {
    await redis.set(stateKey('bad'), value);
    t.equal(await store.takeState('bad'), undefined, value);
    await redis.set(codeKey('bad'), value);
    t.equal(await store.takeCode('bad'), undefined, value);
  }
  t.equal(await redis.exists(stateKey('bad'), codeKey('bad')), 0);
});

t.test('through the service: no key or record holds the state, code or binding in clear', async (t) => {
  const links = createLinkService({ store, ttls: { stateS: 600, codeS: 600 } });
  const { state, binding } = await links.open('mailru');
  const { browser } = await links.consumeState('mailru', state, binding);
  const second = await links.open('mailru');
  await links.bindCode('mailru', 'the-code', { verifier: 'v', state, browser });
  const keys = await raw.keys(`${prefix}*`);
  t.ok(keys.length >= 2);
  const secrets = [state, second.state, 'the-code', binding, second.binding];
  t.notOk(
    keys.some((k) => secrets.some((secret) => k.includes(secret))),
    keys.join(' '),
  );
  const records = await Promise.all(keys.map((k) => raw.get(k)));
  t.notOk(
    records.some((r) => [binding, second.binding].some((secret) => r?.includes(secret))),
    'the records keep hashes of the bindings only',
  );
  t.ok(await links.consumeState('mailru', second.state, second.binding));
  t.ok(await links.redeemCode('mailru', 'the-code', binding));
});

t.test('Redis unreachable: every call rejects at once with unavailable', async (t) => {
  const down = connectRedis('redis://127.0.0.1:1', prefix, silentLog);
  t.teardown(() => down.disconnect());
  const dead = createRedisLinkStore(down);
  const started = Date.now();
  const unavailable = { name: 'PropuskError', code: 'unavailable', status: 503 };
  await t.rejects(dead.putState('x', { provider: 'vk', verifier: 'v', browser: 'b' }, 600), unavailable);
  await t.rejects(dead.takeState('x'), unavailable);
  await t.rejects(
    dead.putCode('x', { provider: 'vk', verifier: 'v', state: 's', browser: 'b' }, 600),
    unavailable,
  );
  await t.rejects(dead.takeCode('x'), unavailable);
  t.ok(Date.now() - started < 1000, 'no queueing while down');
});
