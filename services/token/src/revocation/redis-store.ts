import { revokedKey } from '@propusk/contracts';
import type { RedisClient } from '@propusk/kit';
import { redisCall } from '../shared/redis-call.js';
import type { RevocationStore } from './store.js';

/**
 * `revoked:<tokenId>` (contracts' revokedKey) → JSON {profile, exp}, expiring when the token
 * would have. Written with NX so that of two concurrent revocations one reports `revoked`.
 */
export function createRedisRevocationStore(redis: RedisClient): RevocationStore {
  return {
    async add(record, ttlS) {
      const value = JSON.stringify({ profile: record.profile, exp: record.exp });
      const ok = await redisCall('revocation add', () =>
        redis.set(revokedKey(record.jti), value, 'EX', ttlS, 'NX'),
      );
      return ok === 'OK';
    },
    async has(id) {
      return (await redisCall('revocation check', () => redis.exists(revokedKey(id)))) === 1;
    },
  };
}
