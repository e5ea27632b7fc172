import { startRedisCluster } from './redis-cluster.js';

/** A Redis a store test runs against: the same assertions on each (README, REDIS_URL). */
export interface RedisUnderTest {
  readonly name: 'single server' | 'cluster';
  /** REDIS_URL of it. */
  readonly url: string;
  /**
   * CROSSSLOT answers so far (a script, MULTI or multi-key command whose keys span hash slots):
   * always 0 on a single server, which has no slots.
   */
  crossSlotErrors(): Promise<number>;
}

/** The machine's shared Redis (REDIS_URL when set), as every test uses it. */
export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The shared single server and a Redis Cluster of the calling test file's own (3 masters,
 * 3 replicas; stopped by `teardown`, e.g. tap's `t.teardown`), so one store test shows the
 * same behaviour on both.
 */
export async function redisTargets(teardown: (fn: () => Promise<void>) => void): Promise<RedisUnderTest[]> {
  const cluster = await startRedisCluster();
  teardown(() => cluster.dispose());
  return [
    { name: 'single server', url: SHARED_REDIS_URL, crossSlotErrors: async () => 0 },
    {
      name: 'cluster',
      url: cluster.url,
      crossSlotErrors: async () => (await cluster.errors()).CROSSSLOT ?? 0,
    },
  ];
}
