import t from 'tap';
import { bootSuite } from '@propusk/testkit';
import { createUsers } from '../helpers/accounts.js';
import { ADMIN, createAdmin } from '../helpers/admin-telegram.js';
import { post, type Answer } from '../helpers/http.js';

// Account enumeration through the password logins whose documents allow one answer for both
// (docs/SECURITY.md): an unknown login and a wrong password get the same status and body, and
// their median answer times differ by under 5 ms over 200 interleaved tries each (identity runs
// a dummy argon2id verify with the same parameters for unknown accounts). Document 003's
// loginByPassword is left out: it answers 404:100 for an unknown e-mail and 401:103 for a wrong
// password by design. Runs alone (test/e2e/serial): timing needs a quiet machine.

const TRIES = Number(process.env.ENUMERATION_TRIES ?? 200);
// 7 routes × 400 argon2id logins run one at a time (timing wants no overlap): about a minute
// alone, more on a busy machine; tap's default of 120 s per file is too tight for the latter.
t.setTimeout(300_000);
const MAX_MEDIAN_GAP_MS = 5;
/** Wrong passwords rotate over this many accounts per route, under the per-account ceiling (50). */
const ACCOUNTS_PER_ROUTE = 5;

interface LoginRoute {
  name: string;
  path: string;
  body(login: string, password: string): Record<string, unknown>;
  /** An existing login of the route, the n-th of its accounts. */
  known(n: number): string;
  /** A login nobody has, the i-th. */
  unknown(i: number): string;
  /** The answer as compared: envelope echoes the username it was sent (document 001). */
  comparable?(body: unknown): unknown;
}

const PASSWORD = 'timing-right-pasword1';
const WRONG = 'timing-wrong-pasword1';

const byUsername = (login: string, password: string) => ({ username: login, password });
const envelopeEcho = (body: unknown) => ({ ...(body as object), data: { username: '(echo)' } });

const ROUTES: LoginRoute[] = [
  {
    name: 'drf',
    path: '/api/v1/login/',
    body: byUsername,
    known: (n) => `timing_drf_${n}`,
    unknown: (i) => `nobody_drf_${i}`,
  },
  {
    name: 'envelope admin',
    path: '/api/v1/auth/admin/',
    body: byUsername,
    known: (n) => `timing_env_admin_${n}`,
    unknown: (i) => `nobody_env_admin_${i}`,
    comparable: envelopeEcho,
  },
  {
    name: 'envelope user',
    path: '/api/v1/auth/user/',
    body: byUsername,
    known: (n) => `timing_env_user_${n}`,
    unknown: (i) => `nobody_env_user_${i}`,
    comparable: envelopeEcho,
  },
  {
    name: 'admin-telegram',
    path: ADMIN.auth,
    body: byUsername,
    known: (n) => `timing_tg_${n}`,
    unknown: (i) => `nobody_tg_${i}`,
  },
  {
    name: 'authorization e-mail',
    path: '/authorization/login/email',
    body: (login, password) => ({ email: login, hash_password: password }),
    known: (n) => `timing.${n}@example.org`,
    unknown: (i) => `nobody.${i}@example.org`,
  },
  {
    name: 'authorization phone',
    path: '/authorization/login/phone/number',
    body: (login, password) => ({ phone_number: login, hash_password: password }),
    // Other accounts than the e-mail route's: one failure budget per account, whichever login names it.
    known: (n) => `+7900666100${n}`,
    unknown: (i) => `+7900777${String(i).padStart(4, '0')}`,
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function timed(send: () => Promise<Answer>): Promise<{ res: Answer; ms: number }> {
  const started = performance.now();
  const res = await send();
  return { res, ms: performance.now() - started };
}

t.test('unknown login and wrong password: one answer, one timing', async (t) => {
  const suite = await bootSuite({
    env: {
      // 200 failures from one address must not be throttled; per account the ceiling is 50, and
      // no progressive delay may start (they would answer 429 before the hash).
      LOGIN_MAX_FAILURES_PER_IP: '100000',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '50',
      LOGIN_FAILURES_BEFORE_DELAY: '100000',
    },
  });
  t.teardown(() => suite.stop());
  const { url } = suite;
  const accounts = [...Array(ACCOUNTS_PER_ROUTE).keys()];
  await createUsers(
    suite.databaseUrl,
    ['drf', 'envelope admin', 'envelope user'].flatMap((name) => {
      const route = ROUTES.find((r) => r.name === name) as LoginRoute;
      return accounts.map((n) => ({
        username: route.known(n),
        password: PASSWORD,
        roles: ['admin' as const],
      }));
    }),
  );
  for (const n of accounts) {
    await createAdmin(suite, { username: `timing_tg_${n}`, password: PASSWORD, chatId: 4_500_000 + n });
    const res = await post(url, '/authorization/registration', {
      json: { email: `timing.${n}@example.org`, phone_number: `+7900666000${n}`, hash_password: PASSWORD },
    });
    t.equal(res.status, 200, `registered timing.${n}`);
    const other = await post(url, '/authorization/registration', {
      json: { email: `timing.p${n}@example.org`, phone_number: `+7900666100${n}`, hash_password: PASSWORD },
    });
    t.equal(other.status, 200, `registered timing.p${n}`);
  }

  /** 200 interleaved pairs on one route: the order alternates so drift hits both sides alike. */
  async function measure(route: LoginRoute) {
    const unknown: number[] = [];
    const wrong: number[] = [];
    const answers = { unknown: new Set<string>(), wrong: new Set<string>(), status: new Set<string>() };
    for (let i = 0; i < TRIES; i++) {
      const sendUnknown = () => post(url, route.path, { json: route.body(route.unknown(i), WRONG) });
      const sendWrong = () =>
        post(url, route.path, { json: route.body(route.known(i % ACCOUNTS_PER_ROUTE), WRONG) });
      const order = i % 2 ? [sendUnknown, sendWrong] : [sendWrong, sendUnknown];
      for (const send of order) {
        const { res, ms } = await timed(send);
        const kind = send === sendUnknown ? 'unknown' : 'wrong';
        (kind === 'unknown' ? unknown : wrong).push(ms);
        answers[kind].add(JSON.stringify(route.comparable ? route.comparable(res.body) : res.body));
        answers.status.add(`${kind} ${res.status}`);
      }
    }
    return { unknown, wrong, answers };
  }

  // Three routes at a time (identity runs argon2 on libuv's pool; the folder runs alone):
  // each pair of tries is interleaved, so the shared load weighs on both sides alike.
  const results = new Map<string, Awaited<ReturnType<typeof measure>>>();
  const queue = [...ROUTES];
  await Promise.all(
    [1, 2, 3].map(async () => {
      for (let route = queue.shift(); route; route = queue.shift())
        results.set(route.name, await measure(route));
    }),
  );

  for (const route of ROUTES) {
    t.test(route.name, async (t) => {
      const { unknown, wrong, answers } = results.get(route.name) as Awaited<ReturnType<typeof measure>>;
      t.same([...answers.status].sort(), ['unknown 401', 'wrong 401'], 'both 401, every time');
      t.equal(answers.unknown.size, 1, 'one body for every unknown login');
      t.same([...answers.unknown], [...answers.wrong], 'and the same body for a wrong password');
      const gap = Math.abs(median(unknown) - median(wrong));
      t.ok(
        gap < MAX_MEDIAN_GAP_MS,
        `median unknown ${median(unknown).toFixed(1)} ms, wrong password ${median(wrong).toFixed(1)} ms: gap ${gap.toFixed(1)} ms`,
      );
    });
  }
});
