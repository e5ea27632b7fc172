import { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { withTimeout } from './nats.js';

export type { Redis };

/**
 * A Redis client that fails fast instead of queueing: with no offline queue a command
 * issued while Redis is down rejects at once, so throttles can fail closed (DESIGN:
 * "throttling ... that fails closed when Redis is down"). It reconnects forever.
 */
export function connectRedis(url: string, keyPrefix: string, log: Logger): Redis {
  const redis = new Redis(url, {
    keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  let lastError = 0;
  redis.on('error', (err: Error) => {
    // One line per 5 s while Redis is down, not one per retry.
    if (Date.now() - lastError > 5000) log.warn({ err: err.message }, 'redis unavailable');
    lastError = Date.now();
  });
  redis.on('ready', () => log.info('redis ready'));
  return redis;
}

export function redisKeyPrefix(namespace: string): string {
  return namespace === '' ? 'propusk:' : `propusk:${namespace}:`;
}

export async function checkRedis(redis: Redis, timeoutMs = 1000): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
  await withTimeout(redis.ping(), timeoutMs, 'redis ping');
}

export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await withTimeout(redis.quit(), 1000, 'redis quit');
  } catch {
    redis.disconnect();
  }
}
