import {
  closeRedis,
  connectRedis,
  createLogger,
  redisKeyPrefix,
  redisMasters,
  type RedisClient,
} from '@propusk/kit';
import { Writable } from 'node:stream';

const silent = createLogger({
  service: 'testkit',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

/** Waits until a client (any REDIS_URL form) is ready; rejects on its first error before that. */
export function redisReady<C extends RedisClient>(redis: C): Promise<C> {
  if (redis.status === 'ready') return Promise.resolve(redis);
  return new Promise((resolve, reject) => {
    redis.once('ready', () => resolve(redis));
    redis.once('error', reject);
  });
}

/**
 * The full names of the keys matching `match`, sorted. SCAN, not KEYS: a shared server holds
 * every other test's keys too; on a cluster SCAN runs on every master, each holding a share
 * of the slots (https://redis.io/docs/latest/commands/scan/, "Cluster"). The client's own key
 * prefix does not apply to SCAN's answers: use one without a prefix.
 */
export async function scanKeys(redis: RedisClient, match: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of redisMasters(redis)) {
    for await (const keys of node.scanStream({ match, count: 500 }) as AsyncIterable<string[]>)
      found.push(...keys);
  }
  return [...new Set(found)].sort();
}

/** Deletes keys one command each: keys of different slots cannot go in one DEL on a cluster. */
export async function deleteKeys(redis: RedisClient, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((key) => redis.del(key)));
}

/**
 * Deletes the keys a test left under its namespace's prefix (kit's `redisKeyPrefix`) on the
 * shared Redis (or a cluster's masters). Best effort: a test whose Redis is gone has nothing
 * to clean there.
 */
export async function dropNamespaceKeys(redisUrl: string, namespaceName: string): Promise<void> {
  const redis = connectRedis(redisUrl, '', silent);
  try {
    await redisReady(redis);
    await deleteKeys(redis, await scanKeys(redis, `${redisKeyPrefix(namespaceName)}*`));
  } catch {
    // nothing to clean where Redis is down
  } finally {
    await closeRedis(redis);
  }
}

/**
 * How many keys of a namespace each master holds (one number per master; a single server is
 * one): shows a suite's state really spread over a cluster's shards.
 */
export async function namespaceKeysPerMaster(redisUrl: string, namespaceName: string): Promise<number[]> {
  const redis = await redisReady(connectRedis(redisUrl, '', silent));
  try {
    const match = `${redisKeyPrefix(namespaceName)}*`;
    return await Promise.all(redisMasters(redis).map(async (node) => (await scanKeys(node, match)).length));
  } finally {
    await closeRedis(redis);
  }
}
