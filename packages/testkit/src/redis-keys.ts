import { closeRedis, connectRedis, createLogger, redisKeyPrefix } from '@propusk/kit';
import { Writable } from 'node:stream';

const silent = createLogger({
  service: 'testkit',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

/**
 * Deletes the keys a test left under its namespace's prefix (kit's `redisKeyPrefix`) on the
 * shared Redis. SCAN, not KEYS: the shared server holds every other test's keys too. Best effort:
 * a test whose Redis is gone has nothing to clean there.
 */
export async function dropNamespaceKeys(redisUrl: string, namespaceName: string): Promise<void> {
  const redis = connectRedis(redisUrl, '', silent);
  try {
    await new Promise((resolve, reject) => {
      redis.once('ready', resolve);
      redis.once('error', reject);
    });
    const match = `${redisKeyPrefix(namespaceName)}*`;
    for await (const keys of redis.scanStream({ match, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length) await redis.del(...keys);
    }
  } catch {
    // nothing to clean where Redis is down
  } finally {
    await closeRedis(redis);
  }
}
