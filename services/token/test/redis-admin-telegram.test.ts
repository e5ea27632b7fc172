import t from 'tap';
import { deleteKeys, redisReady, redisTargets, scanKeys } from '@propusk/testkit';
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { revokedKey, tokenId } from '@propusk/contracts';
import { closeRedis, connectRedis, type RedisClient } from '@propusk/kit';
import { createRedisAccountSessionStore } from '../src/account-sessions/redis-store.js';
import { createAccountSessionIndex } from '../src/account-sessions/service.js';
import { adminTelegramKeys } from '../src/admin-telegram/keys.js';
import {
  adminAccessFamilyKey,
  adminAccessKey,
  adminFamilyKey,
  adminRefreshFamilyKey,
  adminRefreshKey,
} from '../src/admin-telegram/redis-keys.js';
import { createRedisAdminTelegramStore } from '../src/admin-telegram/redis-store.js';
import { createAdminTelegramService } from '../src/admin-telegram/service.js';
import { createKeyRing } from '../src/keys/ring.js';
import { createKeysService } from '../src/keys/service.js';
import { createRedisRevocationStore } from '../src/revocation/redis-store.js';
import { createRevocationService } from '../src/revocation/service.js';
import { STAFF } from './fixtures/domain.js';
import { fakeKeyStore, recordingEvents, silentLog } from './fixtures/fakes.js';

/**
 * The admin-telegram store against the real Redis, under a private namespace prefix, on the
 * shared single server and on a Redis Cluster: the key layout and TTLs, and the Lua scripts'
 * atomicity with two "replicas" (two connections) racing; the cluster never answers CROSSSLOT.
 */
const log = silentLog();
/** REFRESH_REUSE_GRACE_MS, shortened so the test can outwait it. */
const GRACE_MS = 300;
const pastGrace = () => new Promise((r) => setTimeout(r, GRACE_MS + 50));

for (const target of await redisTargets((fn) => t.teardown(fn)))
  t.test(`admin-telegram on the real Redis (${target.name})`, async (t) => {
    const prefix = `propusk:t${randomBytes(4).toString('hex')}:`;
    const replicaA = await redisReady(connectRedis(target.url, prefix, log));
    const replicaB = await redisReady(connectRedis(target.url, prefix, log));
    const raw = await redisReady(connectRedis(target.url, '', log)); // sees the full key names
    t.teardown(async () => {
      await deleteKeys(raw, await scanKeys(raw, `${prefix}*`));
      await Promise.all([closeRedis(replicaA), closeRedis(replicaB), closeRedis(raw)]);
    });
    /** The family a token's uuid points to, read under the full key name. */
    const familyOfAccess = async (uuid: unknown) =>
      (await raw.get(`${prefix}${adminAccessFamilyKey(String(uuid))}`))!;

    // Both replicas share the keys (as they share Postgres) and Redis; each has its own client.
    const keyRing = await createKeyRing({
      keys: createKeysService({ store: fakeKeyStore() }),
      log,
      refreshMs: 60_000,
    });
    const events = recordingEvents();
    function replica(redis: RedisClient) {
      const revocation = createRevocationService({ store: createRedisRevocationStore(redis), events, log });
      return createAdminTelegramService({
        keys: adminTelegramKeys(keyRing),
        store: createRedisAdminTelegramStore(redis),
        revocation,
        sessions: createAccountSessionIndex({ store: createRedisAccountSessionStore(redis) }),
        accessTtlS: 900,
        refreshTtlS: 604800,
        reuseGraceMs: GRACE_MS,
        log,
      });
    }
    const a = replica(replicaA);
    const b = replica(replicaB);
    const store = createRedisAdminTelegramStore(replicaA);

    t.test(
      'layout: access session, refresh record and family under the prefix, with their TTLs',
      async (t) => {
        const pair = await a.issue(STAFF);
        const access = decodeJwt(pair.access_token);
        const refresh = decodeJwt(pair.refresh_token);
        const familyId = await familyOfAccess(access.access_uuid);
        t.equal(
          await raw.get(`${prefix}${adminRefreshFamilyKey(String(refresh.refresh_uuid))}`),
          familyId,
          'both tokens point to their family',
        );
        const accessKey = `${prefix}${adminAccessKey(familyId, String(access.access_uuid))}`;
        const refreshKey = `${prefix}${adminRefreshKey(familyId, String(refresh.refresh_uuid))}`;
        const session = JSON.parse((await raw.get(accessKey))!);
        t.strictSame(Object.keys(session).sort(), [
          'accountId',
          'chatId',
          'exp',
          'familyId',
          'roles',
          'tokenId',
          'username',
        ]);
        t.strictSame(
          { ...session, familyId: 'f' },
          {
            accountId: STAFF.accountId,
            username: 'I0HuKc',
            roles: ['staff'],
            chatId: 3546223,
            familyId: 'f',
            tokenId: tokenId(pair.access_token),
            exp: access.exp,
          },
        );
        const accessTtl = await raw.ttl(accessKey);
        t.ok(accessTtl > 895 && accessTtl <= 900, `access TTL ${accessTtl}`);
        t.equal(
          await raw.ttl(`${prefix}${adminAccessFamilyKey(String(access.access_uuid))}`),
          accessTtl,
          'its pointer too',
        );
        const record = await raw.hgetall(refreshKey);
        t.strictSame(record, {
          family: session.familyId,
          status: 'current',
          access: access.access_uuid,
          exp: String(refresh.exp),
        });
        const refreshTtl = await raw.ttl(refreshKey);
        t.ok(refreshTtl > 604790 && refreshTtl <= 604800, `refresh TTL ${refreshTtl}`);
        const family = await raw.hgetall(`${prefix}${adminFamilyKey(familyId)}`);
        t.equal(family.refresh, refresh.refresh_uuid);
        t.equal(family.access, access.access_uuid);
        t.equal(family.accessTokenId, tokenId(pair.access_token));
        t.equal(await raw.ttl(`${prefix}${adminFamilyKey(familyId)}`), refreshTtl);
        t.strictSame(await scanKeys(raw, 'admin:*'), [], 'nothing written outside the namespace');
        for (const v of [session, record, family]) {
          t.notMatch(JSON.stringify(v), pair.access_token.split('.')[2]!, 'no raw token stored');
        }
      },
    );

    t.test(
      'rotation: the old refresh record stays "used" until its exp, the old session is gone',
      async (t) => {
        const first = await a.issue(STAFF);
        const oldRefresh = decodeJwt(first.refresh_token);
        const oldAccess = decodeJwt(first.access_token);
        events.published.length = 0;
        const second = await b.refresh(first.refresh_token);
        const familyId = await familyOfAccess(oldAccess.access_uuid);
        const oldRefreshKey = `${prefix}${adminRefreshKey(familyId, String(oldRefresh.refresh_uuid))}`;
        t.equal(await raw.hget(oldRefreshKey, 'status'), 'used', 'marked used, not deleted');
        t.equal(
          await raw.hget(oldRefreshKey, 'next'),
          decodeJwt(second.refresh_token).refresh_uuid,
          'naming its successor',
        );
        t.ok(
          Math.abs(Number(await raw.hget(oldRefreshKey, 'usedAt')) - Date.now()) < 5000,
          'and when it was used',
        );
        t.ok((await raw.ttl(oldRefreshKey)) > 604000, 'kept until its exp');
        t.equal(
          await raw.exists(`${prefix}${adminAccessKey(familyId, String(oldAccess.access_uuid))}`),
          0,
          'old access session deleted',
        );
        t.equal(
          await raw.exists(`${prefix}${revokedKey(tokenId(first.access_token))}`),
          1,
          'revocation record',
        );
        t.strictSame(events.published, [
          { jti: tokenId(first.access_token), profile: 'admin-telegram', exp: oldAccess.exp },
        ]);
        const live = await a.live(second.access_token);
        t.equal(live?.kind, 'access');
        t.equal(live?.kind === 'access' && live.session.accountId, STAFF.accountId);
        t.equal((await a.live(second.refresh_token))?.kind, 'refresh');
      },
    );

    t.test(
      'two replicas refresh with one token at once: one pair, the other refused, the family lives',
      async (t) => {
        for (let round = 0; round < 5; round++) {
          const pair = await a.issue(STAFF);
          const familyId = (await store.session(decodeJwt(pair.access_token).access_uuid as string))!
            .familyId;
          events.published.length = 0;
          const results = await Promise.allSettled([
            a.refresh(pair.refresh_token),
            b.refresh(pair.refresh_token),
          ]);
          const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
          const lost = results.flatMap((r) =>
            r.status === 'rejected' ? [r.reason as { code: string }] : [],
          );
          t.equal(won.length, 1, `round ${round}: exactly one gets a pair`);
          t.strictSame(
            lost.map((e) => e.code),
            ['invalid_token'],
            `round ${round}: the other is refused like an invalid token, within the grace`,
          );
          const winner = won[0]!;
          t.equal((await a.live(winner.access_token))?.kind, 'access', "the winner's pair is live");
          t.equal((await b.live(winner.refresh_token))?.kind, 'refresh');
          t.equal(
            await raw.hget(`${prefix}${adminFamilyKey(familyId)}`, 'refresh'),
            decodeJwt(winner.refresh_token).refresh_uuid,
          );
          t.strictSame(
            events.published.map((e) => e.jti),
            [tokenId(pair.access_token)],
            'only the replaced access token announced',
          );
        }
      },
    );

    t.test('the same token again after the grace: reuse, the whole family is revoked', async (t) => {
      const pair = await a.issue(STAFF);
      const familyId = (await store.session(decodeJwt(pair.access_token).access_uuid as string))!.familyId;
      const winner = await a.refresh(pair.refresh_token);
      await t.rejects(b.refresh(pair.refresh_token), { code: 'invalid_token' }, 'within the grace');
      t.equal((await a.live(winner.access_token))?.kind, 'access', 'the family lives');
      await pastGrace();
      events.published.length = 0;
      await t.rejects(b.refresh(pair.refresh_token), { code: 'refresh_reused' }, 'after the grace');
      t.equal(await a.live(winner.access_token), undefined, "the winner's pair died with the family");
      t.equal(await a.live(winner.refresh_token), undefined);
      t.equal(await raw.exists(`${prefix}${adminFamilyKey(familyId)}`), 0, 'family deleted');
      t.equal(
        await raw.exists(
          `${prefix}${adminAccessKey(familyId, String(decodeJwt(winner.access_token).access_uuid))}`,
        ),
        0,
        'its access session deleted',
      );
      t.equal(
        await raw.exists(
          `${prefix}${adminRefreshKey(familyId, String(decodeJwt(winner.refresh_token).refresh_uuid))}`,
        ),
        0,
        'its refresh record deleted',
      );
      t.strictSame(
        events.published.map((e) => e.jti),
        [tokenId(winner.access_token)],
        'its access token announced',
      );
      await t.rejects(a.refresh(winner.refresh_token), { code: 'invalid_token' });
    });

    t.test('within the grace, a token two rotations behind is a reuse', async (t) => {
      const pair = await a.issue(STAFF);
      const second = await a.refresh(pair.refresh_token);
      const third = await b.refresh(second.refresh_token);
      await t.rejects(a.refresh(pair.refresh_token), { code: 'refresh_reused' }, 'its successor is used too');
      t.equal(await a.live(third.access_token), undefined, 'family revoked');
    });

    t.test('many concurrent refreshes with one token: one pair, the family lives', async (t) => {
      const pair = await a.issue(STAFF);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).refresh(pair.refresh_token)),
      );
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      t.equal(won.length, 1);
      const codes = results.flatMap((r) =>
        r.status === 'rejected' ? [(r.reason as { code: string }).code] : [],
      );
      t.strictSame(codes, Array(7).fill('invalid_token'), codes.join(','));
      t.equal((await a.live(won[0]!.access_token))?.kind, 'access');
    });

    t.test(
      'revoking a family deletes its session, refresh record and family; other families live',
      async (t) => {
        const mine = await a.issue(STAFF);
        const other = await a.issue(STAFF);
        const renewed = await a.refresh(mine.refresh_token);
        const familyId = (await store.session(decodeJwt(renewed.access_token).access_uuid as string))!
          .familyId;
        t.equal(await b.revokeFamily(renewed.refresh_token), true);
        t.equal(await raw.exists(`${prefix}${adminFamilyKey(familyId)}`), 0);
        t.equal(
          await raw.exists(
            `${prefix}${adminAccessKey(familyId, String(decodeJwt(renewed.access_token).access_uuid))}`,
          ),
          0,
        );
        t.equal(
          await raw.exists(
            `${prefix}${adminRefreshKey(familyId, String(decodeJwt(renewed.refresh_token).refresh_uuid))}`,
          ),
          0,
        );
        t.equal(await raw.exists(`${prefix}${revokedKey(tokenId(renewed.access_token))}`), 1);
        t.equal(await a.revokeFamily(renewed.access_token), false, 'already gone');
        await t.rejects(
          a.refresh(mine.refresh_token),
          { code: 'invalid_token' },
          'a used token of a dead family',
        );
        t.equal((await a.live(other.access_token))?.kind, 'access');
        t.equal(await store.kill('no-such-family'), undefined);
      },
    );

    t.test('corrupt records are no session', async (t) => {
      await raw.set(`${prefix}${adminAccessFamilyKey('corrupt')}`, 'f');
      await raw.set(`${prefix}${adminAccessKey('f', 'corrupt')}`, '{"accountId":1}');
      t.equal(await store.session('corrupt'), undefined);
      await raw.set(`${prefix}${adminRefreshFamilyKey('corrupt')}`, 'f');
      await raw.hset(`${prefix}${adminRefreshKey('f', 'corrupt')}`, {
        family: 'f',
        status: 'stolen',
        access: 'a',
        exp: '1',
      });
      t.equal(await store.refreshRecord('corrupt'), undefined);
      await raw.set(`${prefix}${adminRefreshFamilyKey('elsewhere')}`, 'g');
      await raw.hset(`${prefix}${adminRefreshKey('g', 'elsewhere')}`, {
        family: 'f',
        status: 'current',
        access: 'a',
        exp: '1',
      });
      t.equal(
        await store.refreshRecord('elsewhere'),
        undefined,
        'a record of another family than its pointer names',
      );
    });

    t.test('no script or command answered CROSSSLOT', async (t) => {
      t.equal(await target.crossSlotErrors(), 0);
    });
  });

t.test('Redis down: every store call rejects with unavailable at once', async (t) => {
  const down = connectRedis('redis://127.0.0.1:1', 'propusk:down:', log);
  t.teardown(() => down.disconnect());
  const store = createRedisAdminTelegramStore(down);
  const unavailable = { name: 'PropuskError', code: 'unavailable', status: 503 };
  const started = Date.now();
  await t.rejects(store.session('x'), unavailable);
  await t.rejects(store.refreshRecord('x'), unavailable);
  await t.rejects(store.family('x'), unavailable);
  await t.rejects(
    store.rotate(
      'x',
      async () => {
        throw new Error('never reached');
      },
      { nowMs: Date.now(), graceMs: 0 },
    ),
    unavailable,
  );
  await t.rejects(store.kill('x'), unavailable);
  t.ok(Date.now() - started < 1000, 'no waiting for a reconnect');
});
