import t from 'tap';
import { deleteKeys, redisReady, redisTargets, scanKeys } from '@propusk/testkit';
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { revokedKey, tokenId } from '@propusk/contracts';
import { closeRedis, connectRedis, type RedisClient } from '@propusk/kit';
import { createRevokeAccountSessionsFlow } from '../src/account-sessions/flow.js';
import { createRedisAccountSessionStore } from '../src/account-sessions/redis-store.js';
import { sessionRevokers } from '../src/account-sessions/revokers.js';
import { createAccountSessionIndex } from '../src/account-sessions/service.js';
import { adminTelegramKeys } from '../src/admin-telegram/keys.js';
import { createRedisAdminTelegramStore } from '../src/admin-telegram/redis-store.js';
import { createAdminTelegramService } from '../src/admin-telegram/service.js';
import { authorizationKeys } from '../src/authorization/keys.js';
import {
  authzAccessKey,
  authzSessionAccessKey,
  authzSessionKey,
  createRedisAuthorizationStore,
} from '../src/authorization/redis-store.js';
import { createAuthorizationService } from '../src/authorization/service.js';
import { createRedisDrfStore } from '../src/drf/redis-store.js';
import { createDrfService } from '../src/drf/service.js';
import { createEnvelopeService } from '../src/envelope/service.js';
import { createKeyRing } from '../src/keys/ring.js';
import { createKeysService } from '../src/keys/service.js';
import { createRedisTokenOwnerStore } from '../src/owners/redis-store.js';
import { createRedisRevocationStore } from '../src/revocation/redis-store.js';
import { createRevocationService } from '../src/revocation/service.js';
import { createV2Service } from '../src/v2/service.js';
import { ALICE, ANDREJ, STAFF } from './fixtures/domain.js';
import { fakeKeyStore, recordingEvents, silentLog } from './fixtures/fakes.js';

/**
 * The account session index and the authorization store against the real Redis, under a
 * private namespace prefix, on the shared single server and on a Redis Cluster: key layout
 * and expiries, the scripts' atomicity with two "replicas", and revokeAccountSessions across
 * every profile on the real stores (every token store's scripts and commands run here); the
 * cluster never answers CROSSSLOT.
 */
const log = silentLog();
const nowS = () => Math.floor(Date.now() / 1000);

for (const target of await redisTargets((fn) => t.teardown(fn)))
  t.test(`account sessions and authorization on the real Redis (${target.name})`, async (t) => {
    const prefix = `propusk:t${randomBytes(4).toString('hex')}:`;
    const replicaA = await redisReady(connectRedis(target.url, prefix, log));
    const replicaB = await redisReady(connectRedis(target.url, prefix, log));
    const raw = await redisReady(connectRedis(target.url, '', log)); // sees the full key names
    t.teardown(async () => {
      await deleteKeys(raw, await scanKeys(raw, `${prefix}*`));
      await Promise.all([closeRedis(replicaA), closeRedis(replicaB), closeRedis(raw)]);
    });
    const expireTime = (key: string) => raw.call('EXPIRETIME', `${prefix}${key}`) as Promise<number>;

    const keyRing = await createKeyRing({
      keys: createKeysService({ store: fakeKeyStore() }),
      log,
      refreshMs: 60_000,
    });
    const events = recordingEvents();
    function replica(redis: RedisClient) {
      const revocation = createRevocationService({ store: createRedisRevocationStore(redis), events, log });
      const sessions = createAccountSessionIndex({ store: createRedisAccountSessionStore(redis) });
      const drf = createDrfService({ store: createRedisDrfStore(redis), sessions, ttlS: 3600 });
      const owners = createRedisTokenOwnerStore(redis);
      const envelope = createEnvelopeService({ keys: keyRing, issuer: 'digeocache', sessions, owners });
      const v2 = createV2Service({
        keys: keyRing,
        issuer: 'http://127.0.0.1:8080',
        ttlS: 86_400,
        sessions,
        owners,
        revocation,
      });
      const adminTelegram = createAdminTelegramService({
        keys: adminTelegramKeys(keyRing),
        store: createRedisAdminTelegramStore(redis),
        revocation,
        sessions,
        accessTtlS: 900,
        refreshTtlS: 604_800,
        log,
      });
      const authorizationStore = createRedisAuthorizationStore(redis);
      const authorization = createAuthorizationService({
        keys: authorizationKeys(keyRing),
        store: authorizationStore,
        revocation,
        sessions,
        accessTtlS: 3600,
        refreshTtlS: 14_400,
        log,
      });
      const flow = createRevokeAccountSessionsFlow({
        index: sessions,
        revokers: sessionRevokers({ drf, adminTelegram, authorization, revocation }),
      });
      return { sessions, drf, envelope, v2, adminTelegram, authorization, authorizationStore, flow };
    }
    const a = replica(replicaA);
    const b = replica(replicaB);

    t.test(
      'index layout: `account:sessions:<id>`, member `<profile>:<id>`, expiring with its last member',
      async (t) => {
        const store = createRedisAccountSessionStore(replicaA);
        const account = '11111111-1111-4111-8111-111111111111';
        const key = `account:sessions:${account}`;
        const now = nowS();
        await store.add(account, { profile: 'v2', id: 'tok-a', exp: now + 100 }, now);
        await store.add(account, { profile: 'admin-telegram', id: 'fam-1', exp: now + 500 }, now);
        t.strictSame(await raw.zrange(`${prefix}${key}`, 0, -1, 'WITHSCORES'), [
          'v2:tok-a',
          String(now + 100),
          'admin-telegram:fam-1',
          String(now + 500),
        ]);
        t.equal(await expireTime(key), now + 500, 'the key lives as long as its longest session');
        await store.add(account, { profile: 'admin-telegram', id: 'fam-1', exp: now + 300 }, now);
        t.equal(
          await raw.zscore(`${prefix}${key}`, 'admin-telegram:fam-1'),
          String(now + 500),
          'the later expiry wins',
        );
        await store.add(account, { profile: 'admin-telegram', id: 'fam-1', exp: now + 900 }, now);
        t.equal(await expireTime(key), now + 900, 're-timed when a family is extended');
        // Later, the v2 token has expired: the next write prunes it.
        await store.add(account, { profile: 'drf', id: 'tok-b', exp: now + 1000 }, now + 100);
        t.strictSame(await raw.zrange(`${prefix}${key}`, 0, -1), ['admin-telegram:fam-1', 'drf:tok-b']);
        t.strictSame(await store.list(account, now + 900), [
          { profile: 'drf', id: 'tok-b', exp: now + 1000 },
        ]);
        await raw.zadd(`${prefix}${key}`, now + 50_000, 'not-ours', now + 50_000, 'nosuchprofile:x');
        t.equal((await store.list(account, now)).length, 2, 'members we never wrote are ignored');
        await store.remove(account, [{ profile: 'drf', id: 'tok-b', exp: 0 }]);
        t.strictSame(await store.list(account, now), [
          { profile: 'admin-telegram', id: 'fam-1', exp: now + 900 },
        ]);
        t.strictSame(await scanKeys(raw, 'account:*'), [], 'nothing outside the namespace');
      },
    );

    t.test(
      'authorization layout: session hash, its access set, access records, with their expiries',
      async (t) => {
        const pair = await a.authorization.issue(ANDREJ);
        const access = decodeJwt(pair.access);
        const refresh = decodeJwt(pair.refresh);
        const sessionId = (refresh.header as { uuid: string }).uuid;
        const accessUuid = (access.header as { uuid: string }).uuid;
        t.strictSame(await raw.hgetall(`${prefix}${authzSessionKey(sessionId)}`), {
          accountId: ANDREJ.accountId,
          userName: 'andrejmedvedev2713@gmail.com',
          roles: '[]',
          tokenId: tokenId(pair.refresh),
          exp: String(refresh.exp),
        });
        t.equal(await expireTime(authzSessionKey(sessionId)), refresh.exp);
        t.strictSame(await raw.zrange(`${prefix}${authzSessionAccessKey(sessionId)}`, 0, -1, 'WITHSCORES'), [
          tokenId(pair.access),
          String(access.exp),
        ]);
        t.equal(await expireTime(authzSessionAccessKey(sessionId)), refresh.exp);
        t.strictSame(JSON.parse((await raw.get(`${prefix}${authzAccessKey(accessUuid)}`))!), {
          sessionId,
          tokenId: tokenId(pair.access),
          exp: access.exp,
        });
        t.equal(await expireTime(authzAccessKey(accessUuid)), access.exp);
        t.equal(
          await raw.zscore(`${prefix}account:sessions:${ANDREJ.accountId}`, `authorization:${sessionId}`),
          String(refresh.exp),
          'indexed under the account',
        );
        const r = await b.authorization.refresh(pair.refresh);
        t.equal(r.email, 'andrejmedvedev2713@gmail.com');
        t.equal(
          await raw.zcard(`${prefix}${authzSessionAccessKey(sessionId)}`),
          2,
          'the new access token joins the set',
        );
        t.ok(await a.authorization.live(r.access, ['access']), 'live on the other replica');
        for (const v of await scanKeys(raw, `${prefix}authz:*`)) {
          const type = await raw.type(v);
          const dump =
            type === 'hash'
              ? await raw.hgetall(v)
              : type === 'zset'
                ? await raw.zrange(v, 0, -1)
                : await raw.get(v);
          t.notMatch(JSON.stringify(dump), pair.refresh.split('.')[2]!, `${v}: no raw token stored`);
        }
      },
    );

    t.test('two replicas end one session at once: one wins, one event per token', async (t) => {
      for (let round = 0; round < 5; round++) {
        const pair = await a.authorization.issue(ANDREJ);
        const sessionId = (decodeJwt(pair.refresh).header as { uuid: string }).uuid;
        events.published.length = 0;
        const results = await Promise.all([
          a.authorization.endSession(sessionId),
          b.authorization.endSession(sessionId),
        ]);
        t.strictSame(results.sort(), [false, true], `round ${round}: exactly one ends it`);
        t.strictSame(
          events.published.map((e) => e.jti).sort(),
          [tokenId(pair.access), tokenId(pair.refresh)].sort(),
        );
        t.equal(await raw.exists(`${prefix}${authzSessionKey(sessionId)}`), 0);
        t.equal(await raw.exists(`${prefix}${authzSessionAccessKey(sessionId)}`), 0);
        t.equal(
          await a.authorizationStore.addAccess(sessionId, { uuid: 'u', tokenId: 'x', exp: nowS() + 60 }),
          false,
        );
        t.equal(
          await raw.exists(`${prefix}${authzAccessKey('u')}`),
          0,
          'no access record for an ended session',
        );
      }
    });

    t.test('revokeAccountSessions across every profile on the real stores', async (t) => {
      const accountId = '22222222-2222-4222-8222-222222222222';
      const subject = { ...ALICE, accountId, username: 'alice-redis' };
      const drf = (await a.drf.issue(subject)).token;
      const envelope = (await b.envelope.issue(subject)).token;
      const v2 = (await a.v2.issue(subject)).token;
      const admin = await b.adminTelegram.issue({ ...STAFF, accountId });
      const rotated = await a.adminTelegram.refresh(admin.refresh_token);
      const authz = await b.authorization.issue({ ...ANDREJ, accountId });
      t.equal(await raw.zcard(`${prefix}account:sessions:${accountId}`), 5, 'five sessions, the family once');
      events.published.length = 0;

      t.equal(await a.flow.revokeAll(accountId, tokenId(v2)), 4);
      const died = [drf, envelope, rotated.access_token, authz.refresh, authz.access];
      t.strictSame(
        events.published.map((e) => e.jti).sort(),
        died.map(tokenId).sort(),
        'one event per dead token',
      );
      for (const token of died) {
        t.equal(await raw.exists(`${prefix}${revokedKey(tokenId(token))}`), 1, 'revocation record');
      }
      t.equal(await raw.exists(`${prefix}drf:token:${tokenId(drf)}`), 0, 'the drf session is gone');
      await t.rejects(b.adminTelegram.refresh(rotated.refresh_token), { code: 'invalid_token' });
      await t.rejects(b.authorization.refresh(authz.refresh), { code: 'invalid_token' });
      t.ok(await b.v2.live(v2), 'the kept token lives');
      t.strictSame(await raw.zrange(`${prefix}account:sessions:${accountId}`, 0, -1), [`v2:${tokenId(v2)}`]);
      t.equal(await b.flow.revokeAll(accountId), 1);
      t.equal(await b.v2.live(v2), undefined);
      t.equal(await raw.exists(`${prefix}account:sessions:${accountId}`), 0, 'an empty index leaves no key');
    });

    t.test('no script or command answered CROSSSLOT', async (t) => {
      t.equal(await target.crossSlotErrors(), 0);
    });
  });
