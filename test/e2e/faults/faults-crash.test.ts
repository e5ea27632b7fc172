import t from 'tap';
import { createPrismaClient } from '@propusk/db';
import { bootSuite, eventually, type Suite } from '@propusk/testkit';
import { createUsers } from '../helpers/accounts.js';
import { post } from '../helpers/http.js';
import {
  cleanRefusal,
  isSuccess,
  linesOf,
  LOAD_ENV,
  startLoad,
  summary,
  type Attempt,
} from '../helpers/load.js';
import { startPrivateNats, startPrivateRedis, unsettledNotifications } from '../helpers/servers.js';
import { V2 } from '../helpers/v2.js';

// Issue 9: "kill -9 and restart NATS, Redis, and each service in turn [while a load of logins
// and code requests runs]. Afterwards every request that got a 2xx kept its effect (each code
// request answered 200 produced exactly one message at the stand-in; each registration exists
// once), and nothing was done twice." Errors during an outage are allowed, as clean answers in
// the profile's shape, never hangs. NATS and Redis are private servers (the machine's are
// shared by every other test), each restarted on its own files as a deployment's would be:
// NATS on its JetStream store, Redis on its append-only file (as docker-compose.yml runs it).
// A Redis that lost its data would also lose notification's sent-markers, and a delivery whose
// acknowledgement died with NATS shortly before could then be texted twice.

t.setTimeout(180_000);

const PROCESSES = ['identity', 'verification', 'federation', 'token', 'notification', 'gateway'] as const;
const STAFF = [
  { username: 'crash_staff1', password: 'qwerty123-crash-1', roles: ['staff' as const] },
  { username: 'crash_staff2', password: 'qwerty123-crash-2', roles: ['staff' as const] },
];
/** How long a crashed server or process stays down before it is started again. */
const DOWN_MS = 1000;
/** Load between two faults. */
const BETWEEN_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outage {
  what: string;
  /** Killed at. */
  from: number;
  /** Started again at. */
  back: number;
  /** The gateway ready again at. */
  to: number;
}

async function gatewayReady(suite: Suite): Promise<void> {
  await eventually(
    async () => (await fetch(`${suite.url}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200,
    30_000,
    200,
  );
}

t.test('kill -9 and restart under load: every 2xx kept its effect, once', async (t) => {
  const nats = await startPrivateNats();
  t.teardown(() => nats.dispose());
  const redis = await startPrivateRedis();
  t.teardown(() => redis.dispose());
  // Info lines (request lines, "notification sent") say what became of a failing request.
  const suite = await bootSuite({
    env: { ...LOAD_ENV, LOG_LEVEL: 'info', NATS_URL: nats.url, REDIS_URL: redis.url },
  });
  t.teardown(() => suite.stop());
  await createUsers(suite.databaseUrl, STAFF);
  const { twilio } = suite.standIns;

  const load = startLoad(suite, { registrations: 2, drfLogins: { workers: 1, users: STAFF } });
  t.teardown(() => load.stop());
  const outages: Outage[] = [];
  async function outage(
    what: string,
    kill: () => Promise<unknown>,
    restart: () => Promise<void>,
    prepare?: () => Promise<void>,
    /** Stays down until this holds (a condition, never a longer sleep), at least DOWN_MS. */
    holdUntil?: (from: number) => boolean,
  ) {
    // Each fault hits a flowing load: requests caught by the previous one may take a while to
    // be answered (an RPC lost with NATS waits out RPC_TIMEOUT_MS).
    const since = outages.at(-1)?.to ?? 0;
    const flowing = () => load.attempts.filter((a) => a.start > since && isSuccess(a));
    await eventually(async () => new Set(flowing().map((a) => a.kind)).size === 3, 20_000, 100).catch(() => {
      throw new Error(
        `before ${what}: the load is not flowing: ${summary(load.attempts.filter((a) => a.start > since))}`,
      );
    });
    await prepare?.();
    const from = Date.now();
    await kill();
    await sleep(DOWN_MS);
    if (holdUntil) {
      await eventually(async () => holdUntil(from), 30_000, 50).catch(() => {
        throw new Error(
          `${what} down: the load did not reach it: ${summary(load.attempts.filter((a) => a.start >= from))}`,
        );
      });
    }
    const back = Date.now();
    await restart();
    await gatewayReady(suite);
    outages.push({ what, from, back, to: Date.now() });
    await sleep(BETWEEN_MS);
  }

  await sleep(BETWEEN_MS);
  await outage('nats', nats.kill, nats.restart);
  // Redis stays down until every kind of request has been answered while it was: the checks
  // below need one of each inside the outage, however slowly the machine runs them.
  const answeredSince = (from: number) =>
    (['code', 'drf-login', 'registration'] as const).every((kind) =>
      load.attempts.some((a) => a.kind === kind && a.start >= from),
    );
  await outage('redis', redis.kill, redis.restart, undefined, answeredSince);
  // Delivery is at least once: a crash after the provider took a message but before its
  // sent-marker is written resends it on redelivery (two SMS with the same code, rather than
  // none; docs/SECURITY.md, "Faults"). That window is not what this test measures: notification
  // is killed between sends, with messages queued behind (code requests go on during its outage
  // and are delivered once it is back).
  async function betweenSends(): Promise<void> {
    await load.pauseCodes();
    await eventually(async () => (await unsettledNotifications(nats.monitorUrl)) === 0, 10_000, 50);
  }
  for (const name of PROCESSES) {
    const proc = suite.process(name);
    await outage(
      name,
      async () => {
        await proc.kill('SIGKILL');
        load.resumeCodes();
      },
      () => proc.restart(),
      name === 'notification' ? betweenSends : undefined,
    );
  }
  const attempts = await load.stop();
  const start = attempts[0]?.start ?? 0;
  t.comment(`load: ${summary(attempts)}`);
  t.comment(
    `outages (ms from the first request): ${outages.map((o) => `${o.what} ${o.from - start}–${o.to - start}`).join(', ')}`,
  );
  const at = (a: Attempt) =>
    `${a.kind} at ${a.start - start} ms: ${a.status || a.error} ${a.text.slice(0, 160)}`;

  t.test('no request hung, and every refusal was a clean answer in its profile shape', async (t) => {
    const gateway = outages.find((o) => o.what === 'gateway') as Outage;
    // Only while the gateway itself was down could a request find no one to answer it.
    const unanswered = attempts.filter((a) => a.status === 0);
    t.same(
      unanswered.filter((a) => a.error === 'timeout' || a.end < gateway.from || a.start > gateway.to).map(at),
      [],
      'no request went unanswered, save while the gateway was down (and none hung)',
    );
    t.same(
      attempts.filter((a) => a.status !== 0 && !isSuccess(a) && !cleanRefusal(a)).map(at),
      [],
      'every refusal is in its profile shape',
    );
    const after = attempts.filter((a) => a.start > (outages.at(-1)?.to ?? 0));
    for (const kind of ['registration', 'code', 'drf-login'] as const)
      t.ok(
        after.some((a) => a.kind === kind && isSuccess(a)),
        `${kind} works again after the last restart`,
      );
  });

  t.test('Redis down: no login, code request or registration was answered 2xx (fail closed)', async (t) => {
    const redisOutage = outages.find((o) => o.what === 'redis') as Outage;
    const within = attempts.filter((a) => a.start >= redisOutage.from && a.end <= redisOutage.back);
    t.comment(`while Redis was down: ${summary(within)}`);
    t.same(
      [...new Set(within.map((a) => a.kind))].sort(),
      ['code', 'drf-login', 'registration'],
      'logins, code requests and registrations were made while Redis was down',
    );
    t.same(within.filter(isSuccess).map(at), [], 'none was answered 2xx');
  });

  t.test('each code answered 200 texted its phone exactly once, and nothing was texted twice', async (t) => {
    const codes = attempts.filter((a) => a.kind === 'code');
    const ok = codes.filter(isSuccess);
    t.ok(ok.length >= 10, `${ok.length} code requests were answered 200`);
    const sentTo = (phone: string | undefined) => twilio.messages.filter((m) => m.to === phone).length;
    // Deliveries settle: JetStream holds nothing pending or unacknowledged, every 200 has its SMS.
    await eventually(
      async () =>
        (await unsettledNotifications(nats.monitorUrl)) === 0 && ok.every((a) => sentTo(a.destination) > 0),
      30_000,
      250,
    ).catch(() => undefined);
    t.same(
      ok.filter((a) => sentTo(a.destination) !== 1).map((a) => `${a.destination}: ${sentTo(a.destination)}`),
      [],
      'each code answered 200 was texted once',
    );
    t.same(
      codes.filter((a) => sentTo(a.destination) > 1).map((a) => `${a.destination}: ${sentTo(a.destination)}`),
      [],
      'no phone got two messages (a refused code request sent at most one)',
    );
    for (const a of codes.filter((a) => sentTo(a.destination) > 1))
      t.comment(`${a.destination} (${at(a)}):\n${linesOf(suite.logs, a.requestId).join('\n')}`);
    const asked = new Set(codes.map((a) => a.destination));
    t.same(
      twilio.messages.filter((m) => !asked.has(m.to)).map((m) => m.to),
      [],
      'no message went to a phone nobody asked a code for',
    );
  });

  t.test('each registration answered 200 exists once and can sign in', async (t) => {
    const registered = attempts.filter((a) => a.kind === 'registration' && isSuccess(a));
    t.ok(registered.length >= 10, `${registered.length} registrations were answered 200`);
    const prisma = createPrismaClient(suite.databaseUrl);
    t.teardown(() => prisma.$disconnect());
    const emails = registered.map((a) => a.person?.email_address as string);
    const rows = await prisma.account.findMany({
      where: { email: { in: emails } },
      select: { email: true, phone: true },
    });
    const phoneOf = new Map(rows.map((r) => [r.email, r.phone]));
    t.same(
      registered.filter((a) => phoneOf.get(a.person?.email_address as string) !== a.person?.e164).map(at),
      [],
      'every registration answered 200 is an account with its e-mail and phone',
    );
    t.equal(rows.length, new Set(emails).size, 'one account per registration');
    const failedLogins: string[] = [];
    for (const a of registered) {
      const res = await post(suite.url, V2.loginByPassword, {
        json: { email_address: a.person?.email_address, password: a.person?.password },
      });
      if (res.status !== 200) failedLogins.push(`${a.person?.email_address}: ${res.status} ${res.text}`);
    }
    t.same(failedLogins, [], 'every registered person signs in with their password');
  });

  t.test('every process runs again', async (t) => {
    for (const p of suite.processes) t.ok(p.running(), `${p.name} runs`);
  });
});
