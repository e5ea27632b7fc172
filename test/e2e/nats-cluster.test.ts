import t, { type Test as Tap } from 'tap';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  DEAD_LETTER_STREAM,
  EVENTS_STREAM,
  namespace,
  NOTIFY_STREAM,
  streamName,
} from '../../packages/contracts/src/index.js';
import { bootSuite, eventually, startNatsCluster, type Suite } from '@propusk/testkit';
import { connectNats, createLogger } from '../../packages/kit/src/index.js';
import { createUsers } from './helpers/accounts.js';
import { post } from './helpers/http.js';
import { newPerson, V2, v2Client } from './helpers/v2.js';

// The whole suite on a 3-node NATS cluster (NATS_URL lists the three servers, JETSTREAM_REPLICAS=3):
// its streams are replicated on every node, and after one node is killed (SIGKILL) a v2 SMS code
// (JetStream: verification → notification → Twilio) and a drf login over RPC still work.

const log = createLogger({ service: 'e2e-nats-cluster', level: 'silent' });
const STAFF = { username: 'cluster_staff', password: 'qwerty123-cluster', roles: ['staff' as const] };

/** The servers holding a stream once its group settled: the leader and the replicas it reports. */
async function servers(jsm: JetStreamManager, stream: string): Promise<{ leader?: string; count: number }> {
  const { cluster } = await jsm.streams.info(stream);
  return { leader: cluster?.leader, count: cluster?.leader ? 1 + (cluster.replicas?.length ?? 0) : 0 };
}

/** A phone login from the request to the token: the code travels through JetStream to the SMS. */
async function phoneLogin(t: Tap, suite: Suite, what: string): Promise<void> {
  const v2 = v2Client(suite);
  const p = newPerson();
  await v2.register(p);
  const sent = await v2.smsCode(p.e164, () =>
    post(suite.url, V2.loginByPhone, { json: { phone_number: p.e164 } }),
  );
  const token = await v2.signInWithCode(p.e164, sent.code);
  t.equal((await v2.accepted(token)).status, 422, `${what}: the SMS code signs in, the token opens v2`);
}

/** drf login and check_token: identity and token over NATS request/reply. */
async function drfLogin(t: Tap, url: string, what: string): Promise<void> {
  const login = await post(url, '/api/v1/login/', {
    json: { username: STAFF.username, password: STAFF.password },
  });
  t.equal(login.status, 200, `${what}: drf login ${login.text}`);
  const token = (login.body as { data: { token: string } }).data.token;
  const check = await post(url, '/api/v1/check_token/', {
    json: { username: STAFF.username },
    headers: { authorization: `Token ${token}` },
  });
  t.equal(check.status, 200, `${what}: check_token`);
}

t.test('on a 3-node NATS cluster with JETSTREAM_REPLICAS=3, one node lost', async (t) => {
  const cluster = await startNatsCluster();
  const suite = await bootSuite({
    env: { NATS_URL: cluster.url, JETSTREAM_REPLICAS: '3', CODE_SENDS_PER_IP_PER_HOUR: '1000' },
  }).catch(async (err: unknown) => {
    await cluster.dispose();
    throw err;
  });
  const nats = await connectNats(cluster.url, 'e2e-nats-cluster', log);
  // The suite stops (its streams dropped) while the cluster still serves; the cluster goes last.
  t.teardown(async () => {
    await nats.drain();
    await suite.stop();
    await cluster.dispose();
  });
  await createUsers(suite.databaseUrl, [STAFF]);
  const jsm = await jetstreamManager(nats.nc);
  const ns = namespace(suite.env.PROPUSK_NAMESPACE ?? '');

  await phoneLogin(t, suite, 'all three nodes up');
  await drfLogin(t, suite.url, 'all three nodes up');
  for (const base of [NOTIFY_STREAM, DEAD_LETTER_STREAM, EVENTS_STREAM]) {
    const name = streamName(ns, base);
    t.equal((await jsm.streams.info(name)).config.num_replicas, 3, `${name} has 3 replicas`);
    await eventually(async () => (await servers(jsm, name)).count === 3, 10_000);
  }

  // The node leading the notification stream: losing it makes the rest elect a new leader.
  const notify = streamName(ns, NOTIFY_STREAM);
  const { leader } = await servers(jsm, notify);
  const victim = cluster.nodes.find((n) => n.name === leader);
  if (!victim) throw new Error(`no node named ${String(leader)}`);
  await victim.kill();
  await eventually(async () => {
    const now = await servers(jsm, notify);
    return now.leader !== undefined && now.leader !== victim.name;
  }, 20_000);
  t.pass(`${victim.name} killed; the stream has a new leader`);
  await eventually(async () => (await fetch(`${suite.url}/readyz`)).status === 200, 20_000);

  await drfLogin(t, suite.url, 'one node down');
  // The pull the notification consumer had pending on the dead leader is gone with it: the
  // consumer pulls again after two missed heartbeats (consumer.ts, PULL_EXPIRES_MS), well
  // within the 20 s the SMS is waited for.
  await phoneLogin(t, suite, 'one node down');
  for (const h of suite.handles) t.equal(h.child.exitCode, null, `${h.proc.name} kept running`);
});
