import t from 'tap';
import {
  bootSuite,
  eventually,
  startNatsCluster,
  startRedisCluster,
  startXffProxy,
  type SuiteProcess,
} from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';
import { ADMIN, createAdmin } from './helpers/admin-telegram.js';
import { post, get } from './helpers/http.js';
import { LOAD_ENV, linesOf } from './helpers/load.js';
import {
  cleanFailure,
  PROFILES,
  startTopologyLoad,
  summary,
  type Attempt,
  type RevokedToken,
  type TopologyUsers,
} from './helpers/topology-load.js';
import { killRedis, notifyLeaders, redisMasters } from './helpers/topology-servers.js';
import { V2 } from './helpers/v2.js';

// Issue 14, item 7: the production topology on loopback: a Redis Cluster (3 masters, 3
// replicas, cluster-node-timeout 2 s), a 3-node NATS cluster with JetStream (JETSTREAM_REPLICAS=3),
// two replicas of every service, two gateways behind a proxy that sets X-Forwarded-For (the
// gateways trust it: TRUSTED_PROXIES=127.0.0.1). Under a steady load of every document's
// sessions (logins of all five, refreshes, v2 code sends and code logins, drf check_token,
// RFC 7662 introspection, logouts), one after another, each once the errors of the one before
// stopped: SIGKILL to a Redis master, to the NATS node leading the notify stream, to one replica
// of each service, to one gateway. Then: no 2xx lost its effect (each code answered 200 texted
// exactly once, each registration answered 200 signs in, each token logged out with a 2xx is
// refused by both gateways), no 500, every failure a clean 503 or 429 in its profile's shape,
// and the errors of each kill stopped within 10 s. The measured error windows are printed
// (README, "Production topology").

t.setTimeout(360_000);

/** The issue's bound on each kill's error window. */
const ERRORS_STOP_MS = 10_000;
/** Errors have stopped once none was seen for this long and every profile succeeded since. */
const QUIET_MS = 3000;
/** The span after each kill whose code requests' SMS delays are reported. */
const SMS_SPAN_MS = 10_000;
const SERVICES = ['identity', 'verification', 'federation', 'token', 'notification'] as const;
const INTROSPECTION = {
  id: 'topology-rs',
  secret: '461a5f6b054d1e228b993a8f528b84ffc744b6e22bee4efc0ac65b04f2f7550a',
};
const USERS: TopologyUsers = {
  admin: { username: 'topo_admin', password: 'topology-admin-pass-1' },
  envelope: { username: 'topo_envelope', password: 'topology-envelope-pass-1' },
  authorization: { email: 'topology@example.org', password: 'Topology-authz-pass-1' },
  drf: { username: 'topo_staff', password: 'topology-staff-pass-1' },
  introspection: INTROSPECTION,
};

interface Kill {
  what: string;
  /** The suite process killed (`notification`), if one was. */
  process?: string;
  /** SIGKILL sent at (ms since the epoch). */
  at: number;
  /** The end of the last failed request it caused (`at` when none failed). */
  lastError: number;
  failures: Attempt[];
}

t.test('production topology: kill -9 one of everything under load', async (t) => {
  const redis = await startRedisCluster();
  t.teardown(() => redis.dispose());
  const nats = await startNatsCluster();
  t.teardown(() => nats.dispose());
  const proxy = await startXffProxy();
  t.teardown(() => proxy.close());
  const suite = await bootSuite({
    replicas: { ...Object.fromEntries(SERVICES.map((s) => [s, 2])), gateway: 2 },
    env: {
      ...LOAD_ENV,
      // Info lines (request lines, "notification sent") say what became of a request.
      LOG_LEVEL: 'info',
      REDIS_URL: redis.url,
      NATS_URL: nats.url,
      JETSTREAM_REPLICAS: '3',
      TRUSTED_PROXIES: '127.0.0.1',
      INTROSPECTION_CLIENTS: `${INTROSPECTION.id}:${INTROSPECTION.secret}`,
      PUBLIC_BASE_URL: proxy.url,
    },
  });
  // Registered after the servers': runs first (the suite drops its streams while NATS serves).
  t.teardown(() => suite.stop());
  const gateways = suite.processes.filter((p) => p.service === 'gateway');
  proxy.setTargets(gateways.map((g) => g.url));

  await createAdmin(suite, { ...USERS.admin, chatId: 4_100_001 });
  await createUsers(suite.databaseUrl, [
    { ...USERS.envelope, roles: ['admin'] },
    { ...USERS.drf, roles: ['staff'] },
  ]);
  const registered = await post(proxy.url, '/authorization/registration', {
    json: {
      email: USERS.authorization.email,
      phone_number: '+79005550141',
      hash_password: USERS.authorization.password,
    },
  });
  t.equal(registered.status, 200, `document 002 account: ${registered.status}`);

  // When each phone's first SMS arrived at the Twilio stand-in.
  const arrivals = new Map<string, number>();
  let seen = 0;
  const watch = setInterval(() => {
    const { messages } = suite.standIns.twilio;
    for (; seen < messages.length; seen++) {
      const to = messages[seen]?.to ?? '';
      if (!arrivals.has(to)) arrivals.set(to, Date.now());
    }
  }, 20);
  t.teardown(() => clearInterval(watch));
  const load = startTopologyLoad({ url: proxy.url, standIns: suite.standIns, users: USERS });
  t.teardown(() => load.stop());
  const kills: Kill[] = [];

  /** Resolves once errors stopped since `from`: answers the end of the last failure (or `from`). */
  async function errorsStopped(from: number, what: string): Promise<number> {
    let lastError = from;
    await eventually(
      async () => {
        const failed = load.attempts.filter((a) => !a.ok && a.end >= from);
        lastError = Math.max(from, ...failed.map((a) => a.end));
        if (Date.now() - lastError < QUIET_MS) return false;
        if (load.inFlight().some((f) => f.start <= lastError)) return false;
        const since = load.attempts.filter((a) => a.ok && a.start > lastError);
        return PROFILES.every((p) => since.some((a) => a.profile === p));
      },
      60_000,
      100,
    ).catch(() => {
      throw new Error(
        `after ${what}: errors did not stop: ${summary(load.attempts.filter((a) => a.end >= from))}`,
      );
    });
    return lastError;
  }

  async function kill(what: string, act: () => Promise<unknown>, process?: string): Promise<void> {
    await errorsStopped(kills.at(-1)?.lastError ?? 0, `before ${what}`);
    const at = Date.now();
    await act();
    const lastError = await errorsStopped(at, what);
    const failures = load.attempts.filter((a) => !a.ok && a.end >= at);
    kills.push({ what, at, lastError, failures, process });
  }

  const masters = await redisMasters(redis);
  const master = masters[0];
  if (!master) throw new Error('no Redis master');
  await kill(`Redis master :${master.port} (slots ${master.slots})`, () => killRedis(master));

  const leaders = await notifyLeaders(nats, suite.env);
  const node = nats.nodes.find((n) => n.name === leaders.stream);
  if (!node) throw new Error(`no NATS node named ${leaders.stream}`);
  const consumersLed = leaders.consumers.filter((c) => c.leader === node.name).map((c) => c.name);
  await kill(
    `NATS node ${node.name} (notify stream leader; its consumers led there: ${consumersLed.join(', ') || 'none'})`,
    () => node.kill(),
  );

  for (const s of SERVICES) {
    const victim = suite.process(s);
    await kill(`${victim.name} (1 of 2)`, () => victim.kill('SIGKILL'), victim.name);
  }
  const gateway = suite.process('gateway');
  await kill('gateway (1 of 2)', () => gateway.kill('SIGKILL'));

  const attempts = await load.stop();
  const first = attempts[0]?.start ?? 0;
  const at = (a: Attempt) =>
    `${a.kind} at +${a.start - first} ms: ${a.status || a.error}${a.retried ? ` (retried: ${a.retried})` : ''} ${a.text.slice(0, 160)}`;
  t.comment(`load: ${summary(attempts)}`);
  t.comment(
    `proxy retries: ${proxy.retries.length} (${[...new Set(proxy.retries.map((r) => r.code))].join(', ')})`,
  );
  for (const k of kills)
    t.comment(
      `${k.what}: error window ${k.lastError - k.at} ms, ${k.failures.length} failed (${summary(k.failures) || 'none'})`,
    );

  t.test('errors stopped within 10 s of each kill', async (t) => {
    for (const k of kills) t.ok(k.lastError - k.at <= ERRORS_STOP_MS, `${k.what}: ${k.lastError - k.at} ms`);
  });

  t.test('no 500, no lost answer: every failure a clean 503 or 429 in its profile shape', async (t) => {
    t.same(attempts.filter((a) => a.status >= 500 && a.status !== 503).map(at), [], 'no 5xx but 503');
    t.same(attempts.filter((a) => a.status === 0).map(at), [], 'every request was answered');
    // A request reset inside the killed gateway is retried by the proxy on the other one
    // (RETRIED_HEADER): it may have been acted on before the kill, so its retry can meet its own
    // effect (an account already registered, a code already used): a clean refusal in its shape.
    const retried = attempts.filter((a) => !a.ok && a.retried);
    if (retried.length) t.comment(`retried by the proxy and refused: ${retried.map(at).join('; ')}`);
    t.same(
      attempts
        .filter((a) => !a.ok && a.status !== 0)
        .filter((a) => !(cleanFailure(a) || (a.retried && cleanFailure(a, [400, 401, 409, 422]))))
        .map(at),
      [],
      'every failure is a 503 or 429 in its profile shape',
    );
  });

  // Before the effects are read: the killed gateway runs again, so both are asked.
  await gateway.restart();

  t.test('each code answered 200 texted its phone exactly once', async (t) => {
    const { twilio } = suite.standIns;
    const codes = attempts.filter((a) => a.kind === 'code');
    const ok = codes.filter((a) => a.ok);
    t.ok(ok.length >= 10, `${ok.length} codes answered 200`);
    const sentTo = (phone: string | undefined) => twilio.messages.filter((m) => m.to === phone).length;
    await eventually(async () => ok.every((a) => sentTo(a.destination) > 0), 30_000, 250).catch(
      () => undefined,
    );
    t.same(
      ok.filter((a) => sentTo(a.destination) === 0).map(at),
      [],
      'every code answered 200 reached its phone',
    );
    for (const k of kills) {
      // The codes answered 200 within SMS_SPAN_MS after the kill: how long the slowest SMS took.
      const waits = ok
        .filter((a) => a.end >= k.at && a.end <= k.at + SMS_SPAN_MS)
        .map((a) => (arrivals.get(a.destination ?? '') ?? Infinity) - a.end);
      const slowest = Math.max(...waits);
      t.comment(
        `${k.what}: SMS of the ${waits.length} codes answered 200 in the next ${SMS_SPAN_MS / 1000} s: ${waits.length === 0 ? '-' : Number.isFinite(slowest) ? `slowest ${slowest} ms` : 'not all delivered'}`,
      );
    }
    // Delivery is at least once: a SIGKILL between the provider's answer and the sent marker
    // sends again on redelivery (docs/SECURITY.md, "Faults"). Excused, narrowly: one code, texted
    // twice, whose first send the logs show cut short on the killed notification replica (no
    // "notification sent" from any first delivery; the survivor's redelivery after the kill sent).
    const killed = kills.find((k) => k.process === 'notification');
    const twice = codes.filter((a) => sentTo(a.destination) > 1);
    for (const a of twice)
      t.comment(
        `${a.destination} texted ${sentTo(a.destination)} times:\n${linesOf(suite.logs, a.requestId).join('\n')}`,
      );
    const excused = twice.filter(
      (a) => killed && sentTo(a.destination) === 2 && cutShortBy(suite.logs, a.requestId, killed),
    );
    t.ok(excused.length <= 1, `at most one send cut short by the notification kill (${excused.length})`);
    if (excused.length === 1)
      t.comment(`excused: ${excused.map(at).join('')}, in flight on the killed replica`);
    t.same(
      twice.filter((a) => excused.length > 1 || !excused.includes(a)).map(at),
      [],
      'no phone was texted twice',
    );
    const asked = new Set(codes.map((a) => a.destination));
    t.same(
      twilio.messages.filter((m) => !asked.has(m.to)).map((m) => m.to),
      [],
      'no message went to a phone nobody asked a code for',
    );
  });

  t.test('each registration answered 200 signs in', async (t) => {
    const registrations = attempts.filter((a) => a.kind === 'v2-registration' && a.ok);
    t.ok(registrations.length >= 10, `${registrations.length} registrations answered 200`);
    const failed: string[] = [];
    await inBatches(registrations, 4, async (a) => {
      const res = await post(proxy.url, V2.loginByPassword, {
        json: { email_address: a.person?.email_address, password: a.person?.password },
      });
      if (res.status !== 200) failed.push(`${a.person?.email_address}: ${res.status} ${res.text}`);
    });
    t.same(failed, [], 'every registered person signs in with their password');
  });

  t.test('each token logged out with a 2xx stays refused on both gateways', async (t) => {
    const revoked = load.revoked;
    t.ok(revoked.length >= 10, `${revoked.length} tokens logged out: ${countBy(revoked)}`);
    const accepted: string[] = [];
    for (const g of gateways) {
      await inBatches(revoked, 8, async (r) => {
        const status = await useToken(g.url, r);
        if (status < 400 || status >= 500) accepted.push(`${g.name} ${r.profile} → ${status}`);
      });
    }
    t.same(accepted, [], 'every one refused (4xx) by each gateway');
  });

  t.test('every process runs, the killed gateway again', async (t) => {
    for (const p of suite.processes as readonly SuiteProcess[])
      if (!SERVICES.some((s) => p.name === s)) t.ok(p.running(), `${p.name} runs`);
    t.equal((await get(gateway.url, '/readyz')).status, 200, 'the restarted gateway is ready');
  });
});

/**
 * Whether the logs show the notification of `requestId` cut short on the replica `kill` killed:
 * exactly one "notification sent", by another replica, on a redelivery (delivery ≥ 2) after the
 * kill, and none by the killed replica (kit's pino JSON lines, `name | {…}`).
 */
function cutShortBy(logs: readonly string[], requestId: string, kill: Kill): boolean {
  const sent = linesOf(logs, requestId)
    .map((line) => {
      const cut = line.indexOf(' | ');
      try {
        const entry = JSON.parse(line.slice(cut + 3)) as { msg?: string; delivery?: number; time?: number };
        return { process: line.slice(0, cut), ...entry };
      } catch {
        return { process: line.slice(0, cut) };
      }
    })
    .filter((e) => 'msg' in e && e.msg === 'notification sent');
  const [only] = sent;
  return (
    sent.length === 1 &&
    only !== undefined &&
    only.process !== kill.process &&
    'delivery' in only &&
    (only.delivery ?? 0) >= 2 &&
    'time' in only &&
    (only.time ?? 0) > kill.at
  );
}

/** What a client would do next with a token it logged out: answers the gateway's status. */
async function useToken(base: string, r: RevokedToken): Promise<number> {
  switch (r.profile) {
    case 'drf':
      return (
        await post(base, '/api/v1/check_token/', {
          json: {},
          headers: { authorization: `Token ${r.token}` },
        })
      ).status;
    case 'v2':
      return (await post(base, V2.verification, { json: {}, headers: { authorization: r.token } })).status;
    case 'admin-telegram':
      return (await post(base, ADMIN.logout, { json: {}, headers: { authorization: `Bearer ${r.token}` } }))
        .status;
    case 'envelope':
      return (await get(base, '/api/v1/auth/logout/', { headers: { authorization: `Bearer ${r.token}` } }))
        .status;
  }
}

async function inBatches<T>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

function countBy(revoked: readonly RevokedToken[]): string {
  const n = new Map<string, number>();
  for (const r of revoked) n.set(r.profile, (n.get(r.profile) ?? 0) + 1);
  return [...n].map(([p, c]) => `${p} ${c}`).join(', ');
}
