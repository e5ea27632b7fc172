import t from 'tap';
import { bootSuite, eventually } from '@propusk/testkit';
import { createUsers } from '../helpers/accounts.js';
import { isSuccess, LOAD_ENV, startLoad, summary, type Attempt } from '../helpers/load.js';
import { newPerson, registrationBody, V2 } from '../helpers/v2.js';

// Issue 9: "SIGTERM on a service under load: no in-flight request fails." A service stopped by
// SIGTERM (kit's service.ts) first answers new HTTP requests with a closing notice, which the
// gateway takes to the other replica (gateway/src/upstreams.ts), then closes its listener,
// finishes the HTTP requests and NATS handlers in flight (queue subscriptions drained, so NATS
// sends new work to the other replica; the notification consumer finishes its sends) and
// exits 0. The gateway, SIGTERMed, finishes the requests it took.

const SERVICES = ['identity', 'verification', 'federation', 'token', 'notification'] as const;
const STAFF = [
  { username: 'term_staff1', password: 'qwerty123-term-1', roles: ['staff' as const] },
  { username: 'term_staff2', password: 'qwerty123-term-2', roles: ['staff' as const] },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const describe = (a: Attempt) => `${a.kind}: ${a.status || a.error} ${a.text.slice(0, 120)}`;

t.setTimeout(180_000);

t.test('SIGTERM under load: services and the gateway finish what they took', async (t) => {
  const suite = await bootSuite({ replicas: 2, env: { ...LOAD_ENV } });
  t.teardown(() => suite.stop());
  await createUsers(suite.databaseUrl, STAFF);
  const { twilio } = suite.standIns;

  await t.test('SIGTERM on one replica of each service under load: no request fails', async (t) => {
    const load = startLoad(suite, { registrations: 2, drfLogins: { workers: 1, users: STAFF } });
    t.teardown(() => load.stop());
    await sleep(2000);
    for (const s of SERVICES) {
      // The first replica of some services, the second of others: either place in the gateway's lists.
      const victim = suite.process(s === 'verification' || s === 'token' ? `${s}#2` : s);
      const exit = await victim.kill('SIGTERM');
      t.same({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `${victim.name} exited 0`);
      await sleep(1000);
    }
    await sleep(1000);
    const attempts = await load.stop();
    t.comment(`load: ${summary(attempts)}`);
    t.same(attempts.filter((a) => !isSuccess(a)).map(describe), [], 'every request was answered 2xx');
    for (const kind of ['registration', 'code', 'drf-login'] as const)
      t.ok(attempts.filter((a) => a.kind === kind).length >= 5, `the load sent ${kind} requests throughout`);

    const codes = attempts.filter((a) => a.kind === 'code');
    const missing = () => codes.filter((a) => !twilio.messages.some((m) => m.to === a.destination));
    await eventually(async () => missing().length === 0, 20_000, 250).catch(() => undefined);
    t.same(
      missing().map((a) => a.destination),
      [],
      `each of the ${codes.length} codes reached its phone`,
    );
    const twice = codes.filter((a) => twilio.messages.filter((m) => m.to === a.destination).length > 1);
    t.same(
      twice.map((a) => a.destination),
      [],
      'no code was texted twice',
    );
  });

  await t.test('SIGTERM on the gateway: the requests it took are answered, then it exits 0', async (t) => {
    // Registrations hash a password (argon2id): each takes tens of milliseconds at the service.
    const people = Array.from({ length: 6 }, () => newPerson());
    const pending = people.map((p) =>
      fetch(`${suite.url}${V2.registration}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(registrationBody(p)),
        signal: AbortSignal.timeout(15_000),
      }).then(
        async (res) => ({ status: res.status, text: await res.text() }),
        (err: Error & { cause?: { code?: string } }) => ({ status: 0, text: err.cause?.code ?? err.message }),
      ),
    );
    await sleep(20);
    const exit = await suite.process('gateway').kill('SIGTERM');
    const answers = await Promise.all(pending);
    t.comment(answers.map((a) => a.status || a.text).join(' '));
    t.same({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, 'the gateway exited 0');
    // A request the gateway never took (its connection refused once the listener closed) is not
    // in flight; every one it took was answered in full.
    const taken = answers.filter((a) => a.text !== 'ECONNREFUSED');
    t.ok(taken.length > 0, `${taken.length} requests were in flight`);
    t.same(
      taken.filter((a) => a.status !== 200),
      [],
      'every request in flight was answered 200',
    );
  });
});
