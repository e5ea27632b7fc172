import t from 'tap';
import { deleteKeys, redisReady, redisTargets, scanKeys } from '@propusk/testkit';
import { randomBytes } from 'node:crypto';
import { revokedKey, tokenId } from '@propusk/contracts';
import { connectRedis, closeRedis } from '@propusk/kit';
import { createRedisDrfStore, drfTokenKey } from '../src/drf/redis-store.js';
import { createRedisTokenOwnerStore, tokenOwnerKey } from '../src/owners/redis-store.js';
import { createRedisRevocationStore } from '../src/revocation/redis-store.js';
import { silentLog } from './fixtures/fakes.js';

const log = silentLog();

// On the shared single server and on a Redis Cluster: every command is single-key.
for (const target of await redisTargets((fn) => t.teardown(fn)))
  t.test(
    `the Redis stores against the real server, under the namespace prefix (${target.name})`,
    async (t) => {
      const prefix = `propusk:t${randomBytes(4).toString('hex')}:`;
      const redis = await redisReady(connectRedis(target.url, prefix, log));
      const raw = await redisReady(connectRedis(target.url, '', log)); // sees the full key names
      t.teardown(async () => {
        await deleteKeys(raw, await scanKeys(raw, `${prefix}*`));
        await closeRedis(redis);
        await closeRedis(raw);
      });

      t.test('drf: put/get/take, layout `drf:token:<tokenId>`, TTL, NX', async (t) => {
        const store = createRedisDrfStore(redis);
        const token = 'a'.repeat(40);
        const id = tokenId(token);
        const session = {
          accountId: '6f1e2b9c-3a4d-4e5f-8a7b-1c2d3e4f5a6b',
          username: 'staff1',
          roles: ['staff' as const],
          iat: 100,
          exp: 200,
        };
        t.equal(await store.put(id, session, 300), true);
        t.equal(await store.put(id, session, 300), false, 'an id is never overwritten');
        t.equal(drfTokenKey(id), `drf:token:${id}`);
        t.strictSame(
          JSON.parse((await raw.get(`${prefix}drf:token:${id}`))!),
          session,
          'value under the full key',
        );
        const ttl = await raw.ttl(`${prefix}drf:token:${id}`);
        t.ok(ttl > 295 && ttl <= 300, `TTL ${ttl}`);
        t.strictSame(await store.get(id), session);
        t.strictSame(await store.take(id), session);
        t.equal(await store.take(id), undefined, 'only one take wins');
        t.equal(await raw.exists(`${prefix}drf:token:${id}`), 0);
        await raw.set(`${prefix}drf:token:corrupt`, '{"accountId":1}');
        t.equal(await store.get('corrupt'), undefined, 'a corrupt record is no session');
        await raw.set(`${prefix}drf:token:badrole`, JSON.stringify({ ...session, roles: ['god'] }));
        t.equal(await store.get('badrole'), undefined, 'unknown roles are refused');
      });

      t.test('revocation: `revoked:<tokenId>` with TTL, NX', async (t) => {
        const store = createRedisRevocationStore(redis);
        const id = tokenId('some.jwt.token');
        t.equal(await store.has(id), false);
        t.equal(await store.add({ jti: id, profile: 'envelope', exp: 1234 }, 60), true);
        t.equal(await store.add({ jti: id, profile: 'envelope', exp: 1234 }, 60), false);
        t.equal(await store.has(id), true);
        t.strictSame(JSON.parse((await raw.get(`${prefix}${revokedKey(id)}`))!), {
          profile: 'envelope',
          exp: 1234,
        });
        const ttl = await raw.ttl(`${prefix}revoked:${id}`);
        t.ok(ttl > 55 && ttl <= 60, `TTL ${ttl}`);
      });

      t.test('token owners: `token:owner:<tokenId>` with TTL; corrupt records name no owner', async (t) => {
        const store = createRedisTokenOwnerStore(redis);
        const id = tokenId('header.payload.signature');
        const owner = {
          accountId: '6f1e2b9c-3a4d-4e5f-8a7b-1c2d3e4f5a6b',
          username: 'staff1',
          roles: ['staff' as const],
        };
        t.equal(await store.get(id), undefined, 'none recorded');
        await store.put(id, owner, 7230);
        t.equal(tokenOwnerKey(id), `token:owner:${id}`);
        t.strictSame(
          JSON.parse((await raw.get(`${prefix}token:owner:${id}`))!),
          owner,
          'value under the full key',
        );
        const ttl = await raw.ttl(`${prefix}token:owner:${id}`);
        t.ok(ttl > 7225 && ttl <= 7230, `TTL ${ttl}`);
        t.strictSame(await store.get(id), owner);
        await raw.set(`${prefix}token:owner:corrupt`, '{"accountId":1}');
        t.equal(await store.get('corrupt'), undefined);
        await raw.set(`${prefix}token:owner:badrole`, JSON.stringify({ ...owner, roles: ['god'] }));
        t.equal(await store.get('badrole'), undefined, 'unknown roles are refused');
      });

      t.test('no command answered CROSSSLOT', async (t) => {
        t.equal(await target.crossSlotErrors(), 0);
      });
    },
  );

t.test('Redis down: every store call rejects with unavailable at once', async (t) => {
  const down = connectRedis('redis://127.0.0.1:1', 'propusk:down:', log);
  t.teardown(() => down.disconnect());
  const drf = createRedisDrfStore(down);
  const revocation = createRedisRevocationStore(down);
  const started = Date.now();
  const unavailable = { name: 'PropuskError', code: 'unavailable', status: 503 };
  await t.rejects(drf.get('x'), unavailable);
  await t.rejects(drf.take('x'), unavailable);
  await t.rejects(
    drf.put('x', { accountId: 'a', username: 'u', roles: [], iat: 1, exp: 2 }, 10),
    unavailable,
  );
  await t.rejects(revocation.has('x'), unavailable);
  const owners = createRedisTokenOwnerStore(down);
  await t.rejects(owners.get('x'), unavailable);
  await t.rejects(owners.put('x', { accountId: 'a', username: 'u', roles: [] }, 10), unavailable);
  await t.rejects(revocation.add({ jti: 'x', profile: 'drf', exp: 2 }, 10), unavailable);
  t.ok(Date.now() - started < 1000, 'no waiting for a reconnect');
});
