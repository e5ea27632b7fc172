import type { RedisClient } from '@propusk/kit';
import { redisCall } from '../shared/redis-call.js';
import { isRole } from '../shared/subject.js';
import type { DrfSession, DrfTokenStore } from './store.js';

/**
 * `drf:token:<tokenId>` → JSON {accountId, username, roles, iat, exp}, expiring with the token.
 * The key holds sha256 of the token (contracts' tokenId), so a Redis dump yields no usable token.
 * (kit's client adds the namespace prefix `propusk:<ns>:`.)
 */
export function drfTokenKey(id: string): string {
  return `drf:token:${id}`;
}

function parseSession(raw: string | null): DrfSession | undefined {
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<DrfSession>;
    if (
      typeof v.accountId === 'string' &&
      typeof v.username === 'string' &&
      Array.isArray(v.roles) &&
      v.roles.every(isRole) &&
      Number.isSafeInteger(v.iat) &&
      Number.isSafeInteger(v.exp)
    ) {
      return { accountId: v.accountId, username: v.username, roles: v.roles, iat: v.iat!, exp: v.exp! };
    }
  } catch {
    // a corrupt record is no session
  }
  return undefined;
}

export function createRedisDrfStore(redis: RedisClient): DrfTokenStore {
  return {
    async put(id, session, ttlS) {
      const ok = await redisCall('drf put', () =>
        redis.set(drfTokenKey(id), JSON.stringify(session), 'EX', ttlS, 'NX'),
      );
      return ok === 'OK';
    },
    async get(id) {
      return parseSession(await redisCall('drf get', () => redis.get(drfTokenKey(id))));
    },
    async take(id) {
      // GETDEL (Redis 6.2): read and delete in one step, so only one revoker wins.
      return parseSession(await redisCall('drf take', () => redis.getdel(drfTokenKey(id))));
    },
  };
}
