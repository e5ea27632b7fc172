import { createWindowCounters, type Redis } from '@propusk/kit';
import type { ThrottleStore } from './store.js';

/** Login-failure counters: kit's fixed-window counters (one Lua script per change, atomic). */
export function createRedisThrottleStore(redis: Redis): ThrottleStore {
  const counters = createWindowCounters(redis);
  return {
    take: (list, windowMs) => counters.take(list, windowMs),
    giveBack: (keys) => counters.giveBack(keys),
    async clear(keys) {
      if (keys.length) await redis.del(...keys);
    },
  };
}
