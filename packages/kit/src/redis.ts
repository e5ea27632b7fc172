import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from './config.js';
import type { Logger } from './logger.js';
import { withTimeout } from './nats.js';
import { parseRedisUrl, RedisUrlError, type RedisTarget } from './redis-url.js';

export type { Cluster, Redis };

/**
 * The client every store is given: one server or Sentinel (`Redis`), or a Redis Cluster
 * (`Cluster`). Both have the same commands; on a cluster every multi-key command, MULTI and
 * script must keep its keys in one hash slot, which the stores do with hash tags
 * (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags).
 */
export type RedisClient = Redis | Cluster;

/** Reconnect forever, at most a second apart: a service outlives a Redis outage. */
const reconnectDelay = (times: number) => Math.min(100 * times, 1000);

/**
 * No offline queue and one retry: a command issued while Redis is down rejects at once, so
 * throttles fail closed (DESIGN: "throttling ... that fails closed when Redis is down").
 */
const FAIL_FAST = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
} as const satisfies RedisOptions;

function clientFor(target: RedisTarget, keyPrefix: string): RedisClient {
  switch (target.kind) {
    case 'single':
      return new Redis(target.url, { ...FAIL_FAST, keyPrefix, retryStrategy: reconnectDelay });
    case 'sentinel':
      return new Redis({
        ...FAIL_FAST,
        keyPrefix,
        sentinels: [...target.sentinels],
        name: target.name,
        db: target.db,
        username: target.username,
        password: target.password,
        retryStrategy: reconnectDelay,
        // A failover is followed on reconnect: a demoted master closes its clients' connections,
        // and ioredis asks the Sentinels again (test: kit redis-sentinel.test.ts). ioredis'
        // `failoverDetector` is left off: its Sentinel subscriptions outlive quit().
        sentinelRetryStrategy: reconnectDelay,
      });
    case 'cluster':
      // ioredis applies `keyPrefix` before it computes a command's slot (Command#getSlot reads
      // the prefixed keys), so the prefix must hold no `{`: a tag in it would put every key in
      // one slot. redisKeyPrefix's namespace cannot (kit settings' PROPUSK_NAMESPACE pattern).
      return new Cluster([...target.nodes], {
        keyPrefix,
        enableOfflineQueue: false,
        clusterRetryStrategy: reconnectDelay,
        // Reads from masters only: a replica may not have the write just made (a rotated refresh
        // token read back from a replica would look current again).
        scaleReads: 'master',
        slotsRefreshTimeout: 2000,
        redisOptions: {
          maxRetriesPerRequest: FAIL_FAST.maxRetriesPerRequest,
          connectTimeout: FAIL_FAST.connectTimeout,
          username: target.username,
          password: target.password,
        },
      });
  }
}

/**
 * A Redis client for REDIS_URL in any of its three forms (redis-url.ts), failing fast instead
 * of queueing (FAIL_FAST) and reconnecting forever. A value of none of the forms throws a
 * ConfigError naming REDIS_URL. Keys get `keyPrefix` (ioredis applies it to every command's
 * keys, script KEYS included).
 */
export function connectRedis(url: string, keyPrefix: string, log: Logger): RedisClient {
  let target: RedisTarget;
  try {
    target = parseRedisUrl(url);
  } catch (err) {
    if (err instanceof RedisUrlError) throw new ConfigError('REDIS_URL', err.message);
    throw err;
  }
  const redis = clientFor(target, keyPrefix);
  let lastError = 0;
  redis.on('error', (err: Error) => {
    // One line per 5 s while Redis is down, not one per retry.
    if (Date.now() - lastError > 5000) log.warn({ err: err.message }, 'redis unavailable');
    lastError = Date.now();
  });
  redis.on('ready', () => log.info({ mode: target.kind }, 'redis ready'));
  return redis;
}

export function redisKeyPrefix(namespace: string): string {
  return namespace === '' ? 'propusk:' : `propusk:${namespace}:`;
}

/**
 * The hash tag of a key: the first `{…}` with something inside; undefined when there is none and
 * Redis Cluster hashes the whole key
 * (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags).
 * Keys with one tag share a slot; kit's prefix holds no `{`, so this holds for prefixed keys too.
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/** The servers that hold keys: every master of a cluster, else the one server (SCAN runs per node). */
export function redisMasters(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

export async function checkRedis(redis: RedisClient, timeoutMs = 1000): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
  await withTimeout(redis.ping(), timeoutMs, 'redis ping');
}

export async function closeRedis(redis: RedisClient): Promise<void> {
  try {
    await withTimeout(redis.quit(), 1000, 'redis quit');
  } catch {
    redis.disconnect();
  }
}
