import type { RedisClient } from '@propusk/kit';
import { redisCall } from '../shared/redis-call.js';
import { isRole } from '../shared/subject.js';
import type { TokenOwner, TokenOwnerStore } from './store.js';

/**
 * `token:owner:<tokenId>` → JSON {accountId, username, roles}, expiring with the token. The key
 * holds sha256 of the token (contracts' tokenId), never the token. (kit's client adds the
 * namespace prefix `propusk:<ns>:`.)
 */
export function tokenOwnerKey(id: string): string {
  return `token:owner:${id}`;
}

function parseOwner(raw: string | null): TokenOwner | undefined {
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<TokenOwner>;
    if (
      typeof v.accountId === 'string' &&
      typeof v.username === 'string' &&
      Array.isArray(v.roles) &&
      v.roles.every(isRole)
    ) {
      return { accountId: v.accountId, username: v.username, roles: v.roles };
    }
  } catch {
    // a corrupt record names no owner
  }
  return undefined;
}

export function createRedisTokenOwnerStore(redis: RedisClient): TokenOwnerStore {
  return {
    async put(id, owner, ttlS) {
      await redisCall('token owner put', () =>
        redis.set(tokenOwnerKey(id), JSON.stringify(owner), 'EX', ttlS),
      );
    },
    async get(id) {
      return parseOwner(await redisCall('token owner get', () => redis.get(tokenOwnerKey(id))));
    },
  };
}
