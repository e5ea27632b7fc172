import { createWindowCounters, type RedisClient } from '@propusk/kit';
import { redisScript } from '../shared/redis-script.js';
import type { ClientThrottleStore } from './throttle.js';

// KEYS: counters; ARGV[i]: limit of KEYS[i]. Changes nothing: answers the longest PTTL among
// the counters at their limit (at least 1), 0 when none is (the first half of kit's TAKE).
const LOCKED_FOR = `
local wait = 0
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
return wait
`;

/**
 * Failed client authentications in kit's fixed-window counters (one Lua script per change,
 * atomic: packages/kit/src/counters.ts). A client's counters share a hash tag (throttle.ts), so
 * each call is one script on one slot, also on a Redis Cluster.
 */
export function createRedisClientThrottleStore(redis: RedisClient): ClientThrottleStore {
  const counters = createWindowCounters(redis);
  const lockedFor = redisScript(redis, 'propuskClientAuthLockedFor', LOCKED_FOR);
  return {
    take: (list, windowMs) => counters.take(list, windowMs),
    async lockedFor(list) {
      return Number(
        await lockedFor(
          list.map((c) => c.key),
          list.map((c) => c.limit),
        ),
      );
    },
  };
}
