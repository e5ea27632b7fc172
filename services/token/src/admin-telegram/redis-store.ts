import { PropuskError } from '@propusk/contracts';
import type { RedisClient } from '@propusk/kit';
import { redisCall } from '../shared/redis-call.js';
import { redisScript } from '../shared/redis-script.js';
import {
  adminAccessFamilyKey,
  adminAccessKey,
  adminFamilyKey,
  adminRefreshFamilyKey,
  adminRefreshKey,
} from './redis-keys.js';
import { familyFields, parseFamily, parseRefresh, parseSession, revokedFrom } from './redis-records.js';
import { KILL, ROTATE } from './redis-scripts.js';
import type { AdminTelegramStore, NewPair, RotateOutcome } from './store.js';

/** A family changes a few times a week; losing the race this often means something is wrong. */
const MAX_ATTEMPTS = 5;

/**
 * The admin-telegram store in Redis (layout: redis-keys.ts). Every change of a family is one
 * MULTI or Lua script on the family's slot; a token is found from its uuid through its pointer.
 */
export function createRedisAdminTelegramStore(redis: RedisClient): AdminTelegramStore {
  const rotateScript = redisScript(redis, 'propuskAdminTelegramRotate', ROTATE);
  const killScript = redisScript(redis, 'propuskAdminTelegramKill', KILL);

  /** The family a pointer names; undefined for an unknown or expired token. */
  async function familyOf(pointer: string): Promise<string | undefined> {
    return (await redisCall('admin pointer get', () => redis.get(pointer))) ?? undefined;
  }

  /** The pointers of a new pair, before any record of the family names its tokens. */
  async function point(pair: NewPair): Promise<void> {
    const familyId = pair.session.familyId;
    await redisCall('admin pointers', () =>
      Promise.all([
        redis.set(adminAccessFamilyKey(pair.accessUuid), familyId, 'EX', pair.accessTtlS),
        redis.set(adminRefreshFamilyKey(pair.refreshUuid), familyId, 'EXAT', pair.refreshExp),
      ]),
    );
  }

  async function readRefresh(refreshUuid: string) {
    const familyId = await familyOf(adminRefreshFamilyKey(refreshUuid));
    if (familyId === undefined) return undefined;
    const record = parseRefresh(
      await redisCall('admin refresh get', () => redis.hgetall(adminRefreshKey(familyId, refreshUuid))),
    );
    return record?.familyId === familyId ? record : undefined;
  }
  async function readFamily(familyId: string) {
    const h = await redisCall('admin family get', () => redis.hgetall(adminFamilyKey(familyId)));
    return parseFamily(familyId, h);
  }

  return {
    async start(pair) {
      const s = pair.session;
      await point(pair);
      const replies = await redisCall('admin start', () =>
        redis
          .multi()
          .set(adminAccessKey(s.familyId, pair.accessUuid), JSON.stringify(s), 'EX', pair.accessTtlS)
          .hset(adminRefreshKey(s.familyId, pair.refreshUuid), {
            family: s.familyId,
            status: 'current',
            access: pair.accessUuid,
            exp: pair.refreshExp,
          })
          .expireat(adminRefreshKey(s.familyId, pair.refreshUuid), pair.refreshExp)
          .hset(adminFamilyKey(s.familyId), familyFields(pair))
          .expireat(adminFamilyKey(s.familyId), pair.refreshExp)
          .exec(),
      );
      if (!replies || replies.some(([err]) => err))
        throw new PropuskError('unavailable', 'redis: admin start failed');
    },
    async session(accessUuid) {
      const familyId = await familyOf(adminAccessFamilyKey(accessUuid));
      if (familyId === undefined) return undefined;
      const session = parseSession(
        await redisCall('admin session get', () => redis.get(adminAccessKey(familyId, accessUuid))),
      );
      return session?.familyId === familyId ? session : undefined;
    },
    refreshRecord: readRefresh,
    family: readFamily,
    async rotate(refreshUuid, next, grace): Promise<RotateOutcome> {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const record = await readRefresh(refreshUuid);
        const family = record && (await readFamily(record.familyId));
        if (!record || !family) return { outcome: 'invalid' };
        const pair = await next(family);
        await point(pair);
        const fid = family.familyId;
        const reply = await redisCall('admin rotate', () =>
          rotateScript(
            [
              adminRefreshKey(fid, refreshUuid),
              adminFamilyKey(fid),
              adminRefreshKey(fid, family.refreshUuid),
              adminAccessKey(fid, family.accessUuid),
              adminRefreshKey(fid, pair.refreshUuid),
              adminAccessKey(fid, pair.accessUuid),
            ],
            [
              fid,
              refreshUuid,
              family.refreshUuid,
              family.accessUuid,
              pair.refreshUuid,
              pair.accessUuid,
              JSON.stringify(pair.session),
              pair.accessTtlS,
              pair.refreshExp,
              pair.session.tokenId,
              pair.session.exp,
              grace.nowMs,
              grace.graceMs,
            ],
          ),
        );
        const [outcome] = reply as [string];
        if (outcome === 'rotated') return { outcome, replaced: revokedFrom(reply) };
        if (outcome === 'reused') return { outcome, revoked: revokedFrom(reply) };
        if (outcome === 'invalid' || outcome === 'raced') return { outcome };
      }
      throw new PropuskError('unavailable', 'redis: admin rotate kept conflicting');
    },
    async kill(familyId) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const family = await readFamily(familyId);
        if (!family) return undefined;
        const reply = await redisCall('admin kill', () =>
          killScript(
            [
              adminFamilyKey(familyId),
              adminRefreshKey(familyId, family.refreshUuid),
              adminAccessKey(familyId, family.accessUuid),
            ],
            [family.refreshUuid, family.accessUuid],
          ),
        );
        const [outcome] = reply as [string];
        if (outcome === 'killed') return revokedFrom(reply);
        if (outcome === 'gone') return undefined;
      }
      throw new PropuskError('unavailable', 'redis: admin kill kept conflicting');
    },
  };
}
