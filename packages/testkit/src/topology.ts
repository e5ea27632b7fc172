import { startNatsCluster } from './nats-cluster.js';
import { startRedisCluster } from './redis-cluster.js';

/**
 * PROPUSK_TEST_TOPOLOGY=clusters runs every suite a test process boots on a Redis Cluster (3
 * masters, 3 replicas) and a NATS cluster of 3 with JetStream streams in 3 replicas, instead of
 * the machine's single servers: `npm run test:clusters` runs the end-to-end suite so (issue 14,
 * "the whole suite against Redis Cluster and a NATS cluster"). It is on demand, not part of
 * `npm test`: forming both clusters for each test file costs seconds the everyday run need not
 * spend, and topology.test.ts, redis-cluster.test.ts and nats-cluster.test.ts keep the main flows
 * of every document on clusters in every run.
 *
 * The clusters are shared by the suites of one test process that are alive at once, and
 * disposed when the last of them stops.
 */
export const TOPOLOGY_VAR = 'PROPUSK_TEST_TOPOLOGY';

interface Clusters {
  env: Record<string, string>;
  dispose(): Promise<void>;
}

let shared: Promise<Clusters> | undefined;
let users = 0;

async function startClusters(): Promise<Clusters> {
  const [redis, nats] = await Promise.all([startRedisCluster(), startNatsCluster()]);
  return {
    env: { REDIS_URL: redis.url, NATS_URL: nats.url, JETSTREAM_REPLICAS: '3' },
    dispose: async () => {
      await Promise.all([redis.dispose(), nats.dispose()]);
    },
  };
}

export function clustersWanted(): boolean {
  const value = process.env[TOPOLOGY_VAR];
  if (value === undefined || value === '' || value === 'single') return false;
  if (value === 'clusters') return true;
  throw new Error(`${TOPOLOGY_VAR} must be "clusters" or "single", not ${JSON.stringify(value)}`);
}

/**
 * The environment that points a suite at the clusters (nothing when they are not wanted), and
 * the release the suite calls when it stops.
 */
export async function acquireTopology(): Promise<{ env: Record<string, string>; release(): Promise<void> }> {
  if (!clustersWanted()) return { env: {}, release: async () => undefined };
  users++;
  shared ??= startClusters();
  let clusters: Clusters;
  try {
    clusters = await shared;
  } catch (err) {
    users--;
    shared = undefined;
    throw err;
  }
  let released = false;
  return {
    env: clusters.env,
    async release() {
      if (released) return;
      released = true;
      users--;
      if (users > 0) return;
      shared = undefined;
      await clusters.dispose();
    },
  };
}
