// Profile admin-telegram (document 000) through app.inject() on the real identity process (real
// Postgres and Redis), beside fake verification and token services on NATS: every step of the
// document, every error as {"message"} with its status, bad input of every kind.
import t from 'tap';
import { PropuskError } from '@propusk/contracts';
import type { LightMyRequestResponse } from 'fastify';
import { cooldownKey, pendingKey, requestsKey } from '../src/admin-registration/redis-store.js';
import { bootIdentity } from './fixtures/identity.js';

const identity = await bootIdentity({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
t.teardown(() => identity.close());
const redis = identity.started.runtime.redis!;

const CODE = '/api/v1/admin/registration/code';
const REGISTER = '/api/v1/admin/registration';
const AUTH = '/api/v1/admin/auth';
const PASSWORD = '4tfgefhey75uh';

/** The assertions a failure check needs (tap's Test and the root TAP both have them). */
type Tap = Pick<typeof t, 'equal' | 'match' | 'same'>;

/** A failure of this profile: exactly `{"message"}`, JSON, the status given. */
function failure(t: Tap, res: LightMyRequestResponse, status: number, message: string | RegExp, what = '') {
  t.equal(res.statusCode, status, `${what} status`);
  t.match(res.headers['content-type'], /^application\/json/, `${what} JSON`);
  const body = res.json();
  t.same(Object.keys(body), ['message'], `${what} only a message`);
  if (typeof message === 'string') t.equal(body.message, message, what);
  else t.match(body.message, message, what);
}

/** Allowlisted and /start pressed: ready for step one. */
async function staffMember(telegramUsername: string, chatId: number) {
  await identity.allow(telegramUsername);
  t.same(await identity.start(telegramUsername, chatId), { allowlisted: true });
}

async function register(username: string, password = PASSWORD) {
  const step1 = await identity.post(CODE, { username, password });
  if (step1.statusCode !== 200) throw new Error(`step one: ${step1.statusCode} ${step1.body}`);
  const step2 = await identity.post(REGISTER, { code: Number(identity.verification.lastCode()) });
  if (step2.statusCode !== 200) throw new Error(`step two: ${step2.statusCode} ${step2.body}`);
}

t.test('document 000 end to end: code, registration, auth, refresh, reuse', async (t) => {
  await staffMember('i0hukc', 3546223);
  const ip = '203.0.113.9';
  const step1 = await identity.post(CODE, { password: PASSWORD, username: 'I0HuKc' }, { ip });
  t.equal(step1.statusCode, 200);
  t.same(step1.json(), {});
  const sent = identity.verification.issued.at(-1)!;
  t.match(sent, { purpose: 'admin-registration', channel: 'telegram', to: '3546223', ip });
  t.match(sent.subject, /^i0hukc:[0-9a-f]{36}$/, 'the subject: the username and a random pending id');
  t.ok(await redis.exists(pendingKey('i0hukc')), 'pending record kept');
  const ttl = await redis.ttl(pendingKey('i0hukc'));
  t.ok(ttl > 1790 && ttl <= 1800, `pending lives 30 minutes (${ttl} s)`);

  const step2 = await identity.post(REGISTER, { code: Number(sent.code) }, { ip });
  t.equal(step2.statusCode, 200);
  t.same(step2.json(), {});
  t.same(identity.verification.checked.at(-1), { purpose: 'admin-registration', code: sent.code, ip });
  t.equal(await redis.exists(pendingKey('i0hukc')), 0, 'pending record deleted');
  const account = await identity.prisma.account.findUnique({
    where: { username: 'I0HuKc' },
    include: { telegramChat: true },
  });
  t.match(account, { username: 'I0HuKc', roles: ['staff'], passwordHash: /^\$argon2id\$/ });
  t.match(account?.telegramChat, { telegramUsername: 'i0hukc', chatId: 3546223n, accountId: account?.id });

  const login = await identity.post(AUTH, { password: PASSWORD, username: 'I0HuKc' });
  t.equal(login.statusCode, 200);
  t.equal(login.headers['cache-control'], 'no-store');
  const pair = login.json();
  t.same(Object.keys(pair), ['access_token', 'refresh_token']);
  t.same(identity.tokens.adminTelegram.at(-1), {
    accountId: account!.id,
    username: 'I0HuKc',
    roles: ['staff'],
    chatId: 3546223,
  });

  const refreshed = await identity.post(AUTH, { refresh_token: pair.refresh_token });
  t.equal(refreshed.statusCode, 200);
  t.same(Object.keys(refreshed.json()), ['access_token', 'refresh_token']);
  t.not(refreshed.json().refresh_token, pair.refresh_token);
  t.same(identity.tokens.refreshed.at(-1), pair.refresh_token);

  const reused = await identity.post(AUTH, { refresh_token: pair.refresh_token });
  failure(t, reused, 401, /already used: all sessions of this login were revoked/, 'reuse');
  const unknown = await identity.post(AUTH, { refresh_token: 'eyJ.eyJ.sig' });
  failure(t, unknown, 401, 'the refresh token is invalid or expired; sign in again', 'unknown refresh');
});

t.test('trailing slashes, and the code as a padded string or a number without its zeros', async (t) => {
  await staffMember('zero_pad_1', 1001);
  await staffMember('zero_pad_2', 1002);
  for (const [username, asNumber] of [
    ['zero_pad_1', false],
    ['zero_pad_2', true],
  ] as const) {
    // The fake issues codes below 100000 every other time: find one with a leading zero.
    let code = '';
    for (let i = 0; i < 4 && !code.startsWith('0'); i++) {
      // Each request from its own address (identity.post), so no cooldown waits; the newest code counts.
      t.equal((await identity.post(`${CODE}/`, { username, password: PASSWORD })).statusCode, 200);
      code = identity.verification.lastCode();
    }
    t.match(code, /^0/, `a code with a leading zero: ${code}`);
    const res = await identity.post(`${REGISTER}/`, { code: asNumber ? Number(code) : code });
    t.equal(res.statusCode, 200, `${username}: ${asNumber ? Number(code) : JSON.stringify(code)}`);
    t.equal(identity.verification.checked.at(-1)?.code, code, 'checked as 6 digits');
  }
  t.equal((await identity.post(`${AUTH}/`, { username: 'zero_pad_2', password: PASSWORD })).statusCode, 200);
});

t.test(
  'a newer request supersedes the older: only the newest code registers, with its password',
  async (t) => {
    await staffMember('two_codes', 2002);
    const stranger = await identity.post(
      CODE,
      { username: 'two_codes', password: 'first password 1' },
      { ip: '198.51.100.66' },
    );
    t.equal(stranger.statusCode, 200);
    const first = identity.verification.lastCode();
    const owner = await identity.post(
      CODE,
      { username: 'Two_Codes', password: 'second password 2' },
      { ip: '203.0.113.77' },
    );
    t.equal(owner.statusCode, 200, "another client's request does not make the owner wait");
    const second = identity.verification.lastCode();
    const [a, b] = await Promise.all([
      identity.post(REGISTER, { code: first }),
      identity.post(REGISTER, { code: second }),
    ]);
    failure(t, a, 400, 'the code is wrong, expired or already used', 'the superseded code');
    t.equal(b.statusCode, 200, 'the newest code registers');
    t.equal(
      await identity.prisma.account.count({ where: { username: { in: ['two_codes', 'Two_Codes'] } } }),
      1,
    );
    t.equal(
      (await identity.post(AUTH, { username: 'Two_Codes', password: 'second password 2' })).statusCode,
      200,
    );
    failure(
      t,
      await identity.post(AUTH, { username: 'Two_Codes', password: 'first password 1' }),
      401,
      'wrong username or password',
      "the superseded request's password",
    );
  },
);

t.test('two submissions of one code at once: exactly one registration', async (t) => {
  await staffMember('one_code', 2003);
  t.equal((await identity.post(CODE, { username: 'one_code', password: PASSWORD })).statusCode, 200);
  const code = identity.verification.lastCode();
  const answers = await Promise.all([1, 2, 3].map(() => identity.post(REGISTER, { code })));
  t.same(answers.map((r) => r.statusCode).sort(), [200, 400, 400], 'one wins; the others find the code used');
});

t.test('step one refusals, in order: policy, allowlist, chat, account, cooldown', async (t) => {
  await identity.allow('no_start_yet');
  await staffMember('cooling_down', 3003);
  for (const [password, message] of [
    ['short7!', 'password must be at least 8 characters'],
    ['', 'password must be at least 8 characters'],
    ['x'.repeat(129), 'password must be at most 128 characters'],
    ['password1', 'password is too common'],
  ] as const) {
    failure(t, await identity.post(CODE, { username: 'cooling_down', password }), 400, message, password);
  }
  failure(
    t,
    await identity.post(CODE, { username: 'stranger', password: PASSWORD }),
    403,
    'this Telegram username is not on the staff list; ask an administrator to add it',
  );
  failure(t, await identity.post(CODE, { username: 'x', password: PASSWORD }), 403, /not on the staff list/);
  failure(
    t,
    await identity.post(CODE, { username: 'no_start_yet', password: PASSWORD }),
    409,
    'no chat with the bot yet: open the Telegram bot, press /start, then request the code again',
  );
  failure(t, await identity.post(CODE, { username: 'I0HUKC', password: PASSWORD }), 409, /already exists/);

  const issued = identity.verification.issued.length;
  const ip = '192.0.2.33';
  t.equal(
    (await identity.post(CODE, { username: '@Cooling_Down', password: PASSWORD }, { ip })).statusCode,
    200,
  );
  const again = await identity.post(CODE, { username: 'cooling_down', password: PASSWORD }, { ip });
  failure(t, again, 429, /^a code was sent moments ago; wait \d+ seconds before requesting another$/);
  const wait = Number(again.headers['retry-after']);
  t.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
  t.match(again.json().message, `wait ${wait} seconds`);
  t.equal(identity.verification.issued.length, issued + 1, 'one code only');
  t.ok(await redis.exists(cooldownKey('cooling_down', ip)), 'the cooldown is per username and client');
});

t.test('per-username cap in the hour, whatever the addresses; refused before any hash', async (t) => {
  await staffMember('capped_user', 3004);
  t.teardown(() => redis.del(requestsKey('capped_user')));
  const answers = [];
  for (let i = 1; i <= 6; i++)
    answers.push(
      await identity.post(CODE, { username: 'capped_user', password: PASSWORD }, { ip: `198.51.100.${i}` }),
    );
  t.same(
    answers.map((r) => r.statusCode),
    [200, 200, 200, 200, 200, 429],
  );
  const over = answers.at(-1)!;
  failure(t, over, 429, /^too many codes were requested; wait \d+ seconds before requesting another$/);
  const wait = Number(over.headers['retry-after']);
  t.ok(wait > 3500 && wait <= 3600, `Retry-After ${wait}: the hour's window`);
  t.equal(await redis.exists(cooldownKey('capped_user', '198.51.100.6')), 0, 'no cooldown left by a refusal');
});

t.test(
  "`_` in a username is a letter, not a wildcard: another user's account does not block it",
  async (t) => {
    await identity.seed({ username: 'wildXcard', roles: [] });
    await staffMember('wild_card', 4444);
    t.equal((await identity.post(CODE, { username: 'wild_card', password: PASSWORD })).statusCode, 200);
    t.equal((await identity.post(REGISTER, { code: identity.verification.lastCode() })).statusCode, 200);
    t.equal(
      await identity.prisma.account.count({ where: { username: { in: ['wild_card', 'wildXcard'] } } }),
      2,
    );
  },
);

t.test('step one: the verification service refusing or down; nothing is left pending', async (t) => {
  await staffMember('send_fails', 4004);
  // One client throughout: its cooldown would refuse the next request had a failed one kept it.
  const ip = '192.0.2.44';
  t.teardown(() => identity.verification.failIssueWith(undefined));
  identity.verification.failIssueWith(new PropuskError('code_send_limited', 'hourly', { retryAfter: 1200 }));
  const limited = await identity.post(CODE, { username: 'send_fails', password: PASSWORD }, { ip });
  failure(t, limited, 429, 'too many codes were requested; wait 1200 seconds before requesting another');
  t.equal(limited.headers['retry-after'], '1200');
  identity.verification.failIssueWith(new PropuskError('unavailable', 'jetstream down'));
  const down = await identity.post(CODE, { username: 'send_fails', password: PASSWORD }, { ip });
  failure(
    t,
    down,
    503,
    'a service is temporarily unavailable; retry later',
    'not 429: the cooldown was released',
  );
  t.equal(await redis.exists(cooldownKey('send_fails', ip)), 0, 'no cooldown without a code');
  t.equal(Number(await redis.get(requestsKey('send_fails'))), 0, 'not counted towards the hourly cap');
  t.equal(await identity.prisma.account.count({ where: { username: 'send_fails' } }), 0);
  identity.verification.failIssueWith(undefined);
  t.equal(
    (await identity.post(CODE, { username: 'send_fails', password: PASSWORD }, { ip })).statusCode,
    200,
  );
});

t.test('step two refusals: wrong code, attempts limited, expired registration', async (t) => {
  failure(
    t,
    await identity.post(REGISTER, { code: 999999 }),
    400,
    'the code is wrong, expired or already used',
  );
  await staffMember('expires_soon', 5005);
  await identity.post(CODE, { username: 'expires_soon', password: PASSWORD });
  const sent = identity.verification.issued.at(-1)!;
  await redis.del(pendingKey('expires_soon'));
  failure(
    t,
    await identity.post(REGISTER, { code: sent.code }),
    400,
    'the registration for this code has expired; request a new code',
  );
  t.equal(await identity.prisma.account.count({ where: { username: 'expires_soon' } }), 0);
  t.teardown(() => identity.verification.failCheckWith(undefined));
  identity.verification.failCheckWith(new PropuskError('code_attempts_limited', 'x', { retryAfter: 300 }));
  const limited = await identity.post(REGISTER, { code: '123456' });
  failure(t, limited, 429, 'too many wrong codes; wait 300 seconds before trying again');
  t.equal(limited.headers['retry-after'], '300');
});

t.test('auth refusals: wrong password, no Telegram chat, throttled, token service down', async (t) => {
  await staffMember('auth_user', 6006);
  await register('Auth_User');
  // One client for Auth_User's attempts: the login throttle counts per account and address.
  const client = { ip: '192.0.2.66' };
  failure(
    t,
    await identity.post(AUTH, { username: 'Auth_User', password: 'wrong password' }, client),
    401,
    'wrong username or password',
  );
  failure(
    t,
    await identity.post(AUTH, { username: 'nobody', password: PASSWORD }),
    401,
    'wrong username or password',
  );
  await identity.seed({ username: 'cli_admin', password: PASSWORD, roles: ['admin'] });
  const right = await identity.post(AUTH, { username: 'cli_admin', password: PASSWORD });
  const wrong = await identity.post(AUTH, { username: 'cli_admin', password: 'wrong password' });
  failure(t, right, 401, 'wrong username or password', 'no linked chat, right password');
  failure(t, wrong, 401, 'wrong username or password', 'no linked chat, wrong password');
  t.same(right.body, wrong.body, 'the same bytes');

  for (let i = 0; i < 2; i++)
    await identity.post(AUTH, { username: 'Auth_User', password: 'wrong again' }, client);
  const throttled = await identity.post(AUTH, { username: 'Auth_User', password: PASSWORD }, client);
  failure(t, throttled, 429, /^too many failed sign-in attempts; wait \d+ seconds before trying again$/);
  t.ok(Number(throttled.headers['retry-after']) >= 1);

  await staffMember('token_down', 6007);
  await register('token_down');
  t.teardown(() => identity.tokens.failWith(undefined));
  identity.tokens.failWith(new PropuskError('unavailable', 'no signing key'));
  failure(
    t,
    await identity.post(AUTH, { username: 'token_down', password: PASSWORD }),
    503,
    /temporarily unavailable/,
  );
  failure(t, await identity.post(AUTH, { refresh_token: 'a.b.c' }), 503, /temporarily unavailable/);
});

t.test('400 for bodies a route cannot take; never a 500', async (t) => {
  const cases: Array<[string, unknown, string]> = [
    [CODE, {}, 'send {"username": string, "password": string} and nothing else'],
    [CODE, { username: 'i0hukc' }, ''],
    [CODE, { password: PASSWORD }, ''],
    [CODE, { username: '', password: PASSWORD }, ''],
    [CODE, { username: 7, password: PASSWORD }, ''],
    [CODE, { username: 'i0hukc', password: 12345678 }, ''],
    [CODE, { username: 'i0hukc', password: null }, ''],
    [CODE, { username: 'x'.repeat(65), password: PASSWORD }, ''],
    [CODE, { username: 'i0hukc', password: PASSWORD, chat_id: 1 }, ''],
    [REGISTER, {}, 'send {"code": <the 6-digit code from Telegram>} and nothing else'],
    [REGISTER, { code: '58822' }, ''],
    [REGISTER, { code: '5882270' }, ''],
    [REGISTER, { code: ' 588227' }, ''],
    [REGISTER, { code: '58822a' }, ''],
    [REGISTER, { code: 1_000_000 }, ''],
    [REGISTER, { code: -1 }, ''],
    [REGISTER, { code: 5882.27 }, ''],
    [REGISTER, { code: null }, ''],
    [REGISTER, { code: true }, ''],
    [REGISTER, { code: [588227] }, ''],
    [REGISTER, { code: 588227, username: 'i0hukc' }, ''],
    [AUTH, {}, 'send either {"username": string, "password": string} or {"refresh_token": string}'],
    [AUTH, { username: 'I0HuKc', password: PASSWORD, refresh_token: 'a.b.c' }, ''],
    [AUTH, { username: 'I0HuKc' }, ''],
    [AUTH, { username: 'I0HuKc', password: '' }, ''],
    [AUTH, { refresh_token: '' }, ''],
    [AUTH, { refresh_token: 42 }, ''],
    [AUTH, { username: { $ne: null }, password: PASSWORD }, ''],
    [AUTH, { refresh_token: 'a.b.c', extra: 1 }, ''],
  ];
  const messages: Record<string, string> = {};
  for (const [url, body, message] of cases) {
    if (message) messages[url] = message;
    failure(t, await identity.post(url, body), 400, messages[url]!, `${url} ${JSON.stringify(body)}`);
  }
  for (const url of [CODE, REGISTER, AUTH]) {
    for (const body of ['[]', 'null', '"text"', '7', '']) {
      failure(t, await identity.post(url, body), 400, messages[url]!, `${url} ${body || 'empty'}`);
    }
    failure(
      t,
      await identity.post(url, '{"code": '),
      400,
      'the request body is not valid JSON',
      `${url} malformed`,
    );
    const none = await identity.inject({ method: 'POST', url });
    failure(t, none, 400, messages[url]!, `${url} no body`);
  }
  t.equal(identity.verification.checked.filter((c) => !/^[0-9]{6}$/.test(c.code)).length, 0);
});

t.test('413 and 415 as {"message"}', async (t) => {
  for (const url of [CODE, REGISTER, AUTH]) {
    const big = await identity.post(url, { username: 'i0hukc', password: 'x'.repeat(17 * 1024) });
    failure(t, big, 413, 'the request body is too large', `${url} 413`);
    const form = await identity.post(url, 'username=i0hukc&password=x', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    failure(t, form, 415, 'the request body must be JSON (Content-Type: application/json)', `${url} 415`);
  }
});
