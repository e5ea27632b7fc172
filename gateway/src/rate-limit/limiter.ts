import { createWindowCounters, ipBucket, withTimeout, type Counter, type RedisClient } from '@propusk/kit';
import type { LimitClass } from './policy.js';

/** Requests per client address in one fixed window (settings RATE_LIMIT_*). */
export interface RateLimits {
  /** Every routed request. */
  perIp: number;
  /** Requests to credential routes (policy.ts); they count against `perIp` too. */
  credentialsPerIp: number;
  windowS: number;
}

export type RateVerdict =
  | { allowed: true }
  | { allowed: false; retryAfterS: number }
  /** Redis could not count: the caller decides (credential routes fail closed). */
  | { allowed: undefined; error: Error };

export interface RateLimiter {
  take(ip: string, limitClass: LimitClass): Promise<RateVerdict>;
}

/** A count waits no longer than this for Redis; past it the request is treated as uncountable. */
const REDIS_TIMEOUT_MS = 1000;

/**
 * Redis key of a budget (under kit's `propusk:<ns>:` prefix); IPv6 addresses count per /64.
 * A client address's budgets share the hash tag `{ip:<address>}`: a request takes from both
 * in one script, and on a Redis Cluster a script's keys must lie in one slot
 * (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags).
 */
export function rateKey(limitClass: LimitClass, ip: string): string {
  return `ratelimit:${limitClass}:{ip:${ipBucket(ip)}}`;
}

/**
 * Fixed windows in Redis (kit's counters: one Lua script, so replicas of the gateway share the
 * budget and a burst of parallel requests cannot slip past it). A request is counted whatever
 * its outcome: unlike the login throttle this bounds traffic, not failures.
 */
export function createRateLimiter(redis: RedisClient, limits: RateLimits): RateLimiter {
  const counters = createWindowCounters(redis);
  const windowMs = limits.windowS * 1000;
  return {
    async take(ip, limitClass) {
      const budget: Counter[] = [{ key: rateKey('general', ip), limit: limits.perIp }];
      if (limitClass === 'credentials')
        budget.push({ key: rateKey('credentials', ip), limit: limits.credentialsPerIp });
      try {
        const result = await withTimeout(counters.take(budget, windowMs), REDIS_TIMEOUT_MS, 'rate limit');
        return result.allowed
          ? result
          : { allowed: false, retryAfterS: Math.ceil(result.retryAfterMs / 1000) };
      } catch (err) {
        return { allowed: undefined, error: err as Error };
      }
    },
  };
}
