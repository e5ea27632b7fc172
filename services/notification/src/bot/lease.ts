import type { RedisClient } from '@propusk/kit';

/**
 * A lease one holder at a time owns in Redis (SET NX PX, https://redis.io/docs/latest/commands/set/),
 * renewed while held. Renew and release act only when the holder still owns it (one Lua
 * script each, so a lease that expired and went to another holder is never touched).
 */
export interface Lease {
  /** True when this holder owns the lease now (newly taken, or already its own). */
  acquire(): Promise<boolean>;
  /** Extends the lease; false when it is no longer this holder's. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** Key of the long-polling lease of one bot (its numeric id, never the token). */
export function pollingLeaseKey(botToken: string): string {
  return `telegram:polling-lease:${botToken.split(':')[0] ?? ''}`;
}

export function createRedisLease(redis: RedisClient, key: string, holder: string, ttlMs: number): Lease {
  return {
    async acquire() {
      if ((await redis.set(key, holder, 'PX', ttlMs, 'NX')) === 'OK') return true;
      return (await redis.eval(RENEW, 1, key, holder, ttlMs)) === 1;
    },
    async renew() {
      return (await redis.eval(RENEW, 1, key, holder, ttlMs)) === 1;
    },
    async release() {
      await redis.eval(RELEASE, 1, key, holder);
    },
  };
}
