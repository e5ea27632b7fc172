import { createWindowCounters, type RedisClient } from '@propusk/kit';
import type { ThrottleStore } from './store.js';

/** Login-failure counters: kit's fixed-window counters (one Lua script per change, atomic). */
export function createRedisThrottleStore(redis: RedisClient): ThrottleStore {
  const counters = createWindowCounters(redis);
  return {
    take: (list, windowMs) => counters.take(list, windowMs),
    giveBack: (keys) => counters.giveBack(keys),
    async clear(keys) {
      // One DEL per key: an account's and an IP's counters lie in different slots of a cluster.
      await Promise.all(keys.map((key) => redis.del(key)));
    },
  };
}
