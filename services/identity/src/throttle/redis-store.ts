import type { Redis } from '@propusk/kit';
import type { ThrottleStore } from './store.js';

/**
 * Counters in Redis, each change one Lua script so it is atomic (EVAL runs alone on the
 * server: https://redis.io/docs/latest/develop/interact/programmability/eval-intro/). Keys get
 * the namespace prefix from the client (ioredis `keyPrefix` also applies to script KEYS). All
 * keys of one call go to one server; a Redis Cluster would need them in one hash slot.
 */

// KEYS: counters; ARGV[1]: window ms; ARGV[1 + i]: limit of KEYS[i].
// Answers 0 when taken, else the longest PTTL among counters at their limit.
const TAKE = `
local wait = 0
for i, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      redis.call('PEXPIRE', key, ARGV[1])
      ttl = tonumber(ARGV[1])
    end
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return 0
`;

// Takes one back from each counter, never below zero; keeps the counter's window.
const GIVE_BACK = `
for _, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n > 1 then redis.call('DECR', key) elseif n == 1 then redis.call('DEL', key) end
end
return 0
`;

type Script = (...args: Array<string | number>) => Promise<unknown>;

function defineScript(redis: Redis, name: string, lua: string): Script {
  // defineCommand caches the script (EVALSHA, falling back to EVAL) under `name` on the client.
  if (!(name in redis)) redis.defineCommand(name, { lua });
  const client = redis as unknown as Record<string, Script>;
  return (...args) => (client[name] as Script).apply(redis, args);
}

export function createRedisThrottleStore(redis: Redis): ThrottleStore {
  const take = defineScript(redis, 'propuskThrottleTake', TAKE);
  const giveBack = defineScript(redis, 'propuskThrottleGiveBack', GIVE_BACK);
  return {
    async take(counters, windowMs) {
      const keys = counters.map((c) => c.key);
      const wait = Number(await take(keys.length, ...keys, windowMs, ...counters.map((c) => c.limit)));
      return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
    },
    async giveBack(keys) {
      if (keys.length) await giveBack(keys.length, ...keys);
    },
    async clear(keys) {
      if (keys.length) await redis.del(...keys);
    },
  };
}
