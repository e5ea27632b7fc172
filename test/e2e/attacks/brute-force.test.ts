import t from 'tap';
import { createPrismaClient } from '@propusk/db';
import { bootSuite } from '@propusk/testkit';
import { IDENTITY_SETTINGS } from '../../../services/identity/src/settings.js';
import { createUsers } from '../helpers/accounts.js';
import { ADMIN, adminLogin, adminRegistrationCode, createAdmin } from '../helpers/admin-telegram.js';
import { bearer, post, type Answer } from '../helpers/http.js';
import { callFrom } from '../helpers/source-ip.js';
import { newPerson, V2, v2Client, wrongCode } from '../helpers/v2.js';

// Brute force through the gateway, with the identity service's DEFAULT login throttle (the
// settings as shipped): every password login is throttled per account and per IP well before
// 100 guesses; a code is good once however many submit it at the same moment; two refreshes
// with one token leave exactly one live family, and a replay after the grace revokes it.
// Each client of the per-IP limits is its own loopback address (127.0.0.0/8), so the subtests
// do not share counters. The gateway's own rate limit is raised by bootSuite (rate-limit.test.ts).

const PER_ACCOUNT = IDENTITY_SETTINGS.LOGIN_MAX_FAILURES_PER_ACCOUNT.default;
const PER_IP = IDENTITY_SETTINGS.LOGIN_MAX_FAILURES_PER_IP.default;
const DELAY_AFTER = IDENTITY_SETTINGS.LOGIN_FAILURES_BEFORE_DELAY.default;
/** Short, so the test can outwait it (default 2000 ms). */
const REUSE_GRACE_MS = 400;

interface LoginRoute {
  name: string;
  path: string;
  body(login: string, password: string): Record<string, unknown>;
  /** A wrong password's answer (the route's own 401 or 404). */
  wrongStatus: number;
  /** The login name and password of an existing account. */
  account: { login: string; password: string };
}

/** A well-formed login nobody has, the i-th of its kind. */
function unknownLogin(route: LoginRoute, i: number): string {
  if (route.name === 'authorization phone') return `+7900777${String(i).padStart(4, '0')}`;
  if (route.name.startsWith('authorization') || route.name === 'v2') return `nobody${i}@example.org`;
  return `nobody_${i}`;
}

t.test('brute force through the gateway', async (t) => {
  const suite = await bootSuite({ env: { REFRESH_REUSE_GRACE_MS: String(REUSE_GRACE_MS) } });
  t.teardown(() => suite.stop());
  const { url } = suite;
  t.ok(PER_ACCOUNT < 100 && PER_IP < 100, `defaults: ${PER_ACCOUNT} per account, ${PER_IP} per IP`);

  // One account per login route: the account counter is per login name.
  const password = 'brute-force-pasword1';
  await createUsers(
    suite.databaseUrl,
    ['bf_drf', 'bf_env_admin', 'bf_env_user'].map((username) => ({ username, password, roles: ['admin'] })),
  );
  await createAdmin(suite, { username: 'bf_tg', password, chatId: 4_300_001 });
  for (const [email, phone] of [
    ['bf.email@example.org', '+79005551001'],
    ['bf.phone@example.org', '+79005551002'],
  ] as const) {
    const res = await post(url, '/authorization/registration', {
      json: { email, phone_number: phone, hash_password: password },
    });
    t.equal(res.status, 200, res.text);
  }
  const v2Person = newPerson();
  await v2Client(suite).register(v2Person);

  const byUsername = (login: string, pw: string) => ({ username: login, password: pw });
  const routes: LoginRoute[] = [
    {
      name: 'drf',
      path: '/api/v1/login/',
      body: byUsername,
      wrongStatus: 401,
      account: { login: 'bf_drf', password },
    },
    {
      name: 'envelope admin',
      path: '/api/v1/auth/admin/',
      body: byUsername,
      wrongStatus: 401,
      account: { login: 'bf_env_admin', password },
    },
    {
      name: 'envelope user',
      path: '/api/v1/auth/user/',
      body: byUsername,
      wrongStatus: 401,
      account: { login: 'bf_env_user', password },
    },
    {
      name: 'admin-telegram',
      path: ADMIN.auth,
      body: byUsername,
      wrongStatus: 401,
      account: { login: 'bf_tg', password },
    },
    {
      name: 'authorization e-mail',
      path: '/authorization/login/email',
      body: (login, pw) => ({ email: login, hash_password: pw }),
      wrongStatus: 401,
      account: { login: 'bf.email@example.org', password },
    },
    {
      name: 'authorization phone',
      path: '/authorization/login/phone/number',
      body: (login, pw) => ({ phone_number: login, hash_password: pw }),
      wrongStatus: 401,
      account: { login: '+79005551002', password },
    },
    {
      name: 'v2',
      path: V2.loginByPassword,
      body: (login, pw) => ({ email_address: login, password: pw }),
      wrongStatus: 401,
      account: { login: v2Person.email_address, password: v2Person.password },
    },
  ];

  t.test('per account: every password login is throttled well before 100 guesses', async (t) => {
    let client = 10;
    for (const route of routes) {
      // Its own address: only the account counter can stop these guesses.
      const from = `127.0.0.${client++}`;
      const guess = (pw: string) =>
        callFrom(from, url, 'POST', route.path, { json: route.body(route.account.login, pw) });
      let throttledAt = 0;
      let last: Answer | undefined;
      for (let i = 1; i <= 100 && !throttledAt; i++) {
        last = await guess(`wrong-guess-${i}-x`);
        if (last.status === 429) throttledAt = i;
        else if (last.status !== route.wrongStatus)
          t.fail(`${route.name}: guess ${i} answered ${last.status} ${last.text}`);
      }
      t.equal(throttledAt, PER_ACCOUNT + 1, `${route.name}: guess ${PER_ACCOUNT + 1} is refused with 429`);
      t.ok(Number(last?.headers.get('retry-after')) > 0, `${route.name}: Retry-After`);
      const right = await guess(route.account.password);
      t.equal(right.status, 429, `${route.name}: even the right password waits`);
      // Issue 15: the budget is the account's from that address. The owner, elsewhere, is not
      // locked out by what an attacker did.
      const elsewhere = await callFrom(`127.0.0.${client++}`, url, 'POST', route.path, {
        json: route.body(route.account.login, route.account.password),
      });
      t.equal(elsewhere.status, 200, `${route.name}: the owner signs in from another address`);
    }
  });

  t.test('one budget per account, whatever form of login names it (002: e-mail, then phone)', async (t) => {
    const [email, phone] = ['bf.forms@example.org', '+79005551003'];
    const reg = await post(url, '/authorization/registration', {
      json: { email, phone_number: phone, hash_password: password },
    });
    t.equal(reg.status, 200, reg.text);
    const from = '127.0.0.40';
    for (let i = 1; i <= PER_ACCOUNT; i++) {
      const res = await callFrom(from, url, 'POST', '/authorization/login/email', {
        json: { email: i % 2 ? email : email.toUpperCase(), hash_password: `wrong-guess-${i}-x` },
      });
      t.equal(res.status, 401, `e-mail guess ${i}`);
    }
    const byPhone = await callFrom(from, url, 'POST', '/authorization/login/phone/number', {
      json: { phone_number: phone, hash_password: password },
    });
    t.equal(byPhone.status, 429, 'the phone form of the same account has no budget of its own');
  });

  t.test('many attacking addresses: progressive delays, never for the owner', async (t) => {
    const account = { username: 'bf_spread', password };
    await createUsers(suite.databaseUrl, [{ ...account, roles: ['admin'] }]);
    const login = (from: string, pw: string) =>
      callFrom(from, url, 'POST', '/api/v1/login/', { json: { username: account.username, password: pw } });
    const owner = '127.0.0.50';
    t.equal((await login(owner, password)).status, 200, 'the owner signed in from his address before');
    // Two attacking addresses spend their budgets: the account reaches the delay threshold.
    const attackers = ['127.0.0.51', '127.0.0.52'];
    let failures = 0;
    for (const from of attackers) {
      for (let i = 1; i <= PER_ACCOUNT; i++) {
        t.equal((await login(from, `wrong-${from}-${i}`)).status, 401);
        failures++;
      }
    }
    t.ok(failures >= DELAY_AFTER, `${failures} failures, delays from ${DELAY_AFTER}`);
    const third = '127.0.0.53';
    t.equal((await login(third, 'wrong-third-1')).status, 401, "a new address's first guess is answered");
    const delayed = await login(third, 'wrong-third-2');
    t.equal(delayed.status, 429, 'its next one waits');
    t.equal(delayed.headers.get('retry-after'), '1', 'one second, doubling from there');
    t.equal((await login(owner, 'a typo of the owner')).status, 401, 'the owner mistypes');
    t.equal((await login(owner, password)).status, 200, 'and signs in at once: his address is known');
  });

  t.test('per IP: guesses across many names from one address are throttled before 100', async (t) => {
    const from = '127.0.0.60';
    let throttledAt = 0;
    for (let i = 1; i <= 100 && !throttledAt; i++) {
      // Every login route in turn, a new name each time: only the IP counter can stop these.
      const route = routes[i % routes.length] as LoginRoute;
      const login = unknownLogin(route, i);
      const res = await callFrom(from, url, 'POST', route.path, {
        json: route.body(login, 'whatever-pass-1'),
      });
      if (res.status === 429) throttledAt = i;
    }
    t.ok(throttledAt > 0 && throttledAt <= PER_IP + 1, `throttled at guess ${throttledAt} (limit ${PER_IP})`);
    for (const route of routes) {
      const res = await callFrom(from, url, 'POST', route.path, {
        json: route.body(unknownLogin(route, 999), 'whatever-pass-1'),
      });
      t.equal(res.status, 429, `${route.name}: the address waits on every login`);
    }
  });

  t.test('50 parallel submissions of one v2 code: exactly one signs in', async (t) => {
    const v2 = v2Client(suite);
    const p = newPerson();
    await v2.register(p);
    const sent = await v2.smsCode(p.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: p.e164 } }),
    );
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        callFrom(`127.0.0.${70 + (i % 5)}`, url, 'POST', i % 2 ? V2.code : V2.codeCyrillic, {
          json: { login: p.e164, code: sent.code },
        }),
      ),
    );
    const won = answers.filter((a) => a.status === 200);
    t.equal(won.length, 1, `one success (${answers.map((a) => a.status).join(',')})`);
    t.ok(
      answers.every(
        (a) =>
          a.status === 200 ||
          (a.status === 422 && (a.body as { code: number }).code === 106) ||
          a.status === 429,
      ),
      'the others: 422:106 (or 429 once the address is throttled)',
    );
  });

  t.test('v2: five wrong codes kill the code, the right one included', async (t) => {
    const v2 = v2Client(suite);
    const p = newPerson();
    await v2.register(p);
    const sent = await v2.smsCode(p.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: p.e164 } }),
    );
    for (let i = 1; i <= 5; i++) {
      const res = await callFrom('127.0.0.80', url, 'POST', V2.code, {
        json: { login: p.e164, code: wrongCode(sent.code) },
      });
      t.equal(res.status, 422, `wrong code #${i}`);
    }
    const right = await callFrom('127.0.0.81', url, 'POST', V2.code, {
      json: { login: p.e164, code: sent.code },
    });
    t.equal(right.status, 422, 'the right code after five wrong ones, even from another address');
    t.equal((right.body as { code: number }).code, 106);
  });

  t.test('50 parallel submissions of one admin registration code: exactly one account', async (t) => {
    const user = { username: 'bf_register', password: 'bf-register-pasword1', chatId: 4_300_002 };
    const code = await adminRegistrationCode(suite, user);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        callFrom(`127.0.0.${90 + (i % 5)}`, url, 'POST', ADMIN.registration, {
          json: { code: i % 2 ? Number(code) : code },
        }),
      ),
    );
    t.equal(
      answers.filter((a) => a.status === 200).length,
      1,
      `one success (${answers.map((a) => a.status).join(',')})`,
    );
    t.ok(
      answers.every((a) => [200, 400, 429].includes(a.status)),
      'the others are refused as a wrong code (or throttled)',
    );
    const prisma = createPrismaClient(suite.databaseUrl);
    t.teardown(() => prisma.$disconnect());
    t.equal(await prisma.account.count({ where: { username: user.username } }), 1, 'one account');
    t.ok(await adminLogin(url, user.username, user.password), 'and it signs in');
  });

  t.test('admin registration codes: wrong guesses from one address stop well before 100', async (t) => {
    let throttledAt = 0;
    for (let i = 1; i <= 100 && !throttledAt; i++) {
      const res = await callFrom('127.0.0.100', url, 'POST', ADMIN.registration, {
        json: { code: 100_000 + i },
      });
      if (res.status === 429) throttledAt = i;
      else t.equal(res.status, 400, `guess ${i}`);
    }
    t.ok(throttledAt > 0 && throttledAt < 100, `throttled at guess ${throttledAt}`);
  });

  t.test(
    'admin-telegram refresh: concurrent use keeps one family; a replay after the grace revokes it',
    async (t) => {
      const first = await adminLogin(url, 'bf_tg_refresh', 'x').catch(() => undefined);
      t.notOk(first, 'no such account yet');
      await createAdmin(suite, { username: 'bf_tg_refresh', password, chatId: 4_300_003 });
      const pair = await adminLogin(url, 'bf_tg_refresh', password);
      const refresh = (token: string) => post(url, ADMIN.auth, { json: { refresh_token: token } });

      const two = await Promise.all([refresh(pair.refresh_token), refresh(pair.refresh_token)]);
      t.same(two.map((a) => a.status).sort(), [200, 401], 'two at once: one new pair, one refusal');
      const loser = two.find((a) => a.status === 401) as Answer;
      t.type((loser.body as { message?: unknown }).message, 'string', 'refused in document 000 shape');
      const winner = (two.find((a) => a.status === 200) as Answer).body as typeof pair;

      const many = await Promise.all(Array.from({ length: 20 }, () => refresh(winner.refresh_token)));
      t.equal(many.filter((a) => a.status === 200).length, 1, '20 at once: exactly one new pair');
      const heir = (many.find((a) => a.status === 200) as Answer).body as typeof pair;
      const live = await post(url, ADMIN.auth, { json: { refresh_token: heir.refresh_token } });
      t.equal(live.status, 200, 'the one family is live: its newest refresh token rotates');
      const current = live.body as typeof pair;

      await new Promise((r) => setTimeout(r, REUSE_GRACE_MS + 200));
      const replay = await refresh(pair.refresh_token);
      t.equal(replay.status, 401, 'a replay of the first token after the grace is refused');
      const after = await refresh(current.refresh_token);
      t.equal(after.status, 401, 'and it revoked the family: the newest refresh token is dead');
      const logout = await post(url, ADMIN.logout, { headers: bearer(current.access_token) });
      t.equal(logout.status, 401, "and so is the family's access token");
    },
  );
});
