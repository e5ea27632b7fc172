import { createWindowCounters, redisScript, type RedisClient } from '@propusk/kit';
import type { ThrottleStore } from './store.js';

// KEYS: pair counter, account counter, known set, delay key (one hash tag: one slot).
// ARGV: address bucket, account-wide threshold, longest delay in ms. Answers the delay set.
const DELAY_AFTER_FAILURE = `
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then return 0 end
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[2]) then return 0 end
local n = tonumber(redis.call('GET', KEYS[1]) or '1')
if n < 1 then n = 1 end
local delay = math.floor(math.min(tonumber(ARGV[3]), 1000 * 2 ^ (n - 1)))
redis.call('SET', KEYS[4], '1', 'PX', delay)
return delay
`;

// KEYS: known set. ARGV: address bucket, how many to keep, ttl ms. The score is the server's
// clock, so the newest addresses are kept whichever replica of the service writes.
const REMEMBER = `
local now = redis.call('TIME')
redis.call('ZADD', KEYS[1], now[1] * 1000 + math.floor(now[2] / 1000), ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[2]) + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0
`;

/** Login-failure counters: kit's fixed-window counters, and two scripts of their own (atomic). */
export function createRedisThrottleStore(redis: RedisClient): ThrottleStore {
  const counters = createWindowCounters(redis);
  const delayAfterFailure = redisScript(redis, 'propuskLoginDelay', DELAY_AFTER_FAILURE);
  const remember = redisScript(redis, 'propuskLoginRemember', REMEMBER);
  return {
    take: (list, windowMs) => counters.take(list, windowMs),
    giveBack: (keys) => counters.giveBack(keys),
    async clear(keys) {
      // One DEL per key: an account's and an IP's counters lie in different slots of a cluster.
      await Promise.all(keys.map((key) => redis.del(key)));
    },
    async delayLeft(key) {
      return Math.max(0, await redis.pttl(key));
    },
    async delayAfterFailure(keys, rule) {
      return Number(
        await delayAfterFailure(
          [keys.pair, keys.account, keys.known, keys.delay],
          [keys.bucket, rule.after, rule.maxMs],
        ),
      );
    },
    async remember(keys, keep, ttlMs) {
      await remember([keys.known], [keys.bucket, keep, ttlMs]);
    },
  };
}
