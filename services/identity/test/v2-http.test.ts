// Profile v2 (document 003) through app.inject() on the real identity process (real Postgres and
// Redis), beside fake verification and token services on NATS: every documented status:code of
// every endpoint, the Cyrillic code path, recovery to a new password, bad bodies of every kind.
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { PropuskError, tokenId } from '@propusk/contracts';
import { grantKey, purposeKey } from '../src/v2/redis-store.js';
import { bootV2Identity, gatewayHeaders } from './fixtures/v2-identity.js';

const identity = await bootV2Identity({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
t.teardown(() => identity.close());
const redis = identity.started.runtime.redis!;
const { codes, tokens } = identity;

const P = {
  registration: '/v2/auth/registration',
  verification: '/v2/auth/verification',
  loginByPassword: '/v2/auth/loginByPassword',
  loginByPhone: '/v2/auth/loginByPhone',
  passwordRecovery: '/v2/auth/passwordRecovery',
  code: '/v2/auth/code',
  /** The document's spelling, with a Cyrillic `с`, as a client sends it on the wire. */
  codeCyrillic: '/v2/auth/%D1%81ode',
  password: '/v2/auth/password',
};
const PASSWORD = 'длинный пароль 42';

/** The assertions a check needs (tap's Test and the root TAP both have them). */
type Tap = Pick<typeof t, 'equal' | 'match' | 'same'>;

/** A failure of this profile: exactly `{"code", "message"}`, JSON, with its status. */
function failure(
  t: Tap,
  res: LightMyRequestResponse,
  status: number,
  code: number,
  message?: string | RegExp,
) {
  const what = `${status}:${code}`;
  t.equal(res.statusCode, status, `${what} status (${res.body})`);
  t.match(res.headers['content-type'], /^application\/json/, `${what} JSON`);
  const body = res.json();
  t.same(Object.keys(body).sort(), ['code', 'message'], `${what} shape`);
  t.equal(body.code, code, `${what} code`);
  t.match(body.message, message ?? /\S/, `${what} message`);
}

/** A success: `{"message", "data"}` with status 200. */
function success(t: Tap, res: LightMyRequestResponse, message: string) {
  t.equal(res.statusCode, 200, `200 (${res.body})`);
  const body = res.json();
  t.same(Object.keys(body), ['message', 'data']);
  t.equal(body.message, message);
  return body.data;
}

let n = 0;
/** A person nobody registered yet: a fresh e-mail and a fresh mobile number. */
function person(overrides: Record<string, unknown> = {}) {
  n++;
  const suffix = String(1_000_000 + (process.pid % 1000) * 1000 + n).slice(-7);
  return {
    name: 'Иван',
    surname: 'Петров',
    patronymic: null,
    email_address: `Ivan.${suffix}@Example.RU`,
    phone_number: `8 916 ${suffix}`,
    password: PASSWORD,
    ...overrides,
  };
}
const e164 = (p: ReturnType<typeof person>) => `+7916${String(p.phone_number).slice(6)}`;

async function register(body = person()) {
  const res = await identity.post(P.registration, body);
  if (res.statusCode !== 200) throw new Error(`registration: ${res.statusCode} ${res.body}`);
  const account = await identity.prisma.account.findUniqueOrThrow({
    where: { email: String(body.email_address).toLowerCase() },
  });
  return { body, token: res.json().data.token as string, account };
}

t.test('registration: 200 with a token; the account as the document describes it', async (t) => {
  const body = person({ patronymic: 'Сергеевич', extra_field: 'ignored' });
  const res = await identity.post(P.registration, body);
  const data = success(t, res, 'Регистрация прошла успешно');
  t.equal(res.headers['cache-control'], 'no-store');
  t.same(Object.keys(data), ['token']);
  t.equal(data.token, tokens.issued.at(-1));
  const account = await identity.prisma.account.findUnique({
    where: { email: body.email_address.toLowerCase() },
  });
  t.match(account, {
    name: 'Иван',
    surname: 'Петров',
    patronymic: 'Сергеевич',
    email: body.email_address.toLowerCase(),
    emailVerified: false,
    phone: e164(body),
    phoneVerified: false,
    username: null,
    roles: [],
    passwordHash: /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
  });
  t.same(tokens.subjects.at(-1), { accountId: account!.id, username: account!.email, roles: [] });
});

t.test('registration: 422:7 / 422:8 / 422:9, 409:100 / 409:101', async (t) => {
  const taken = (await register()).body;
  const { password: _omit, ...noPassword } = person();
  failure(t, await identity.post(P.registration, noPassword), 422, 7, 'Поле password обязательно');
  failure(
    t,
    await identity.post(P.registration, person({ surname: ' ' })),
    422,
    8,
    'Поле surname не может быть пустым',
  );
  failure(
    t,
    await identity.post(P.registration, person({ patronymic: '' })),
    422,
    8,
    'Поле patronymic не может быть пустым',
  );
  failure(
    t,
    await identity.post(P.registration, person({ name: 7 })),
    422,
    9,
    'Поле name должно быть строкой',
  );
  failure(
    t,
    await identity.post(P.registration, person({ email_address: 'ivan@' })),
    422,
    9,
    /email_address/,
  );
  failure(
    t,
    await identity.post(P.registration, person({ phone_number: '+7 495 123 45 67' })),
    422,
    9,
    /phone_number/,
  );
  failure(
    t,
    await identity.post(P.registration, person({ password: 'qwerty123' })),
    422,
    9,
    'Пароль слишком распространён, выберите другой',
  );
  failure(
    t,
    await identity.post(P.registration, person({ password: 'short' })),
    422,
    9,
    'Пароль должен содержать не менее 8 символов',
  );
  const sameEmail = person({ email_address: taken.email_address.toUpperCase() });
  failure(
    t,
    await identity.post(P.registration, sameEmail),
    409,
    100,
    'Учётная запись с этим адресом электронной почты уже зарегистрирована',
  );
  const samePhone = person({ phone_number: e164(taken) });
  failure(
    t,
    await identity.post(P.registration, samePhone),
    409,
    101,
    'Учётная запись с этим номером телефона уже зарегистрирована',
  );
  const both = person({ email_address: taken.email_address, phone_number: taken.phone_number });
  failure(t, await identity.post(P.registration, both), 409, 100, undefined);
  t.equal(await identity.prisma.account.count({ where: { phone: e164(taken) } }), 1);
});

t.test('registration race: of two concurrent sign-ups with one e-mail (or phone), one wins', async (t) => {
  for (const [shared, code] of [
    ['email_address', 100],
    ['phone_number', 101],
  ] as const) {
    const first = person();
    // Three sign-ups sharing only this field: whichever wins, the others collide on it alone.
    const bodies = [first, person({ [shared]: first[shared] }), person({ [shared]: first[shared] })];
    const answers = await Promise.all(bodies.map((b) => identity.post(P.registration, b)));
    const statuses = answers.map((r) => r.statusCode).sort();
    t.same(statuses, [200, 409, 409], `${shared}: ${answers.map((r) => r.body).join(' ')}`);
    for (const r of answers.filter((r) => r.statusCode === 409)) t.equal(r.json().code, code);
  }
});

t.test(
  'loginByPassword: 200 token; 404:100; 401:103; 422:7/8/9; throttled 429 with Retry-After',
  async (t) => {
    const { body, account } = await register();
    const res = await identity.post(P.loginByPassword, {
      email_address: body.email_address,
      password: PASSWORD,
    });
    const data = success(t, res, 'Вход выполнен');
    t.equal(res.headers['cache-control'], 'no-store');
    t.equal(data.token, tokens.issued.at(-1));
    t.same(tokens.subjects.at(-1), { accountId: account.id, username: account.email, roles: [] });

    failure(
      t,
      await identity.post(P.loginByPassword, { email_address: 'nobody@example.ru', password: PASSWORD }),
      404,
      100,
      'Учётная запись с этим адресом электронной почты не найдена',
    );
    failure(
      t,
      await identity.post(P.loginByPassword, { email_address: body.email_address }),
      422,
      7,
      'Поле password обязательно',
    );
    failure(t, await identity.post(P.loginByPassword, { email_address: '', password: 'x' }), 422, 8);
    failure(
      t,
      await identity.post(P.loginByPassword, { email_address: 'not-an-address', password: 'x' }),
      422,
      9,
    );
    failure(
      t,
      await identity.post(P.loginByPassword, { email_address: body.email_address, password: 12345678 }),
      422,
      9,
    );

    const ip = '198.51.100.77';
    for (let i = 0; i < 3; i++) {
      const wrong = await identity.post(
        P.loginByPassword,
        { email_address: body.email_address, password: 'wrong password' },
        { ip },
      );
      failure(t, wrong, 401, 103, 'Неверный пароль');
    }
    const throttled = await identity.post(
      P.loginByPassword,
      { email_address: body.email_address, password: PASSWORD },
      { ip },
    );
    failure(t, throttled, 429, 429, /^Слишком много неудачных попыток входа, повторите через \d+ с$/);
    t.match(throttled.headers['retry-after'], /^\d+$/);
  },
);

t.test('loginByPhone: 200 with data.timeout; the code by SMS; 404:100; 429:105; 422:7/8/9', async (t) => {
  const { body } = await register();
  const ip = '203.0.113.44';
  const res = await identity.post(
    P.loginByPhone,
    { phone_number: `+7 (916) ${body.phone_number.slice(6)}` },
    { ip },
  );
  t.same(success(t, res, 'Код отправлен'), { timeout: 60 });
  t.match(codes.issued.at(-1), {
    purpose: 'v2-login',
    channel: 'sms',
    subject: e164(body),
    to: e164(body),
    ip,
  });
  const ttl = await redis.ttl(purposeKey(e164(body)));
  t.ok(ttl > 590 && ttl <= 600, `the purpose is kept 10 minutes (${ttl} s)`);
  t.equal(await redis.get(purposeKey(e164(body))), 'v2-login');

  failure(
    t,
    await identity.post(P.loginByPhone, { phone_number: '+79990001122' }),
    404,
    100,
    'Учётная запись с этим номером телефона не найдена',
  );
  failure(t, await identity.post(P.loginByPhone, {}), 422, 7, 'Поле phone_number обязательно');
  failure(t, await identity.post(P.loginByPhone, { phone_number: '' }), 422, 8);
  failure(t, await identity.post(P.loginByPhone, { phone_number: '+380501234567' }), 422, 9);

  codes.failIssueWith = new PropuskError('code_resend_too_soon', 'wait', { retryAfter: 37 });
  t.teardown(() => void (codes.failIssueWith = undefined));
  const again = await identity.post(P.loginByPhone, { phone_number: body.phone_number });
  failure(t, again, 429, 105, 'Код уже отправлен, повторить можно через 37 с');
  t.equal(again.headers['retry-after'], '37');
});

t.test('passwordRecovery: e-mail or SMS by login; 404:100 / 404:101; 429:105 when limited', async (t) => {
  const { body } = await register();
  t.same(
    success(t, await identity.post(P.passwordRecovery, { login: body.email_address }), 'Код отправлен'),
    { timeout: 60 },
  );
  t.match(codes.issued.at(-1), {
    purpose: 'v2-recovery',
    channel: 'email',
    to: body.email_address.toLowerCase(),
  });
  t.same(success(t, await identity.post(P.passwordRecovery, { login: body.phone_number }), 'Код отправлен'), {
    timeout: 60,
  });
  t.match(codes.issued.at(-1), { purpose: 'v2-recovery', channel: 'sms', to: e164(body) });

  failure(t, await identity.post(P.passwordRecovery, { login: 'nobody@example.ru' }), 404, 100);
  failure(
    t,
    await identity.post(P.passwordRecovery, { login: '+79990001122' }),
    404,
    101,
    'Учётная запись с этим номером телефона не найдена',
  );
  failure(
    t,
    await identity.post(P.passwordRecovery, { email_address: body.email_address }),
    422,
    7,
    'Поле login обязательно',
  );
  failure(t, await identity.post(P.passwordRecovery, { login: null }), 422, 8);
  failure(t, await identity.post(P.passwordRecovery, { login: 'nobody' }), 422, 9);

  codes.failIssueWith = new PropuskError('code_send_limited', 'limit', { retryAfter: 1800 });
  t.teardown(() => void (codes.failIssueWith = undefined));
  const limited = await identity.post(P.passwordRecovery, { login: body.email_address });
  failure(t, limited, 429, 105, 'Слишком много запросов кода, повторите через 1800 с');
  t.equal(limited.headers['retry-after'], '1800');
});

t.test('code: under both spellings, with and without a trailing slash, it signs in', async (t) => {
  const { body, account } = await register();
  for (const path of [P.code, P.codeCyrillic, `${P.codeCyrillic}/`, `${P.code}/`]) {
    await identity.post(P.loginByPhone, { phone_number: body.phone_number });
    const res = await identity.post(path, { login: body.phone_number, code: codes.lastCode() });
    const data = success(t, res, 'Вход выполнен');
    t.equal(res.headers['cache-control'], 'no-store', path);
    t.equal(data.token, tokens.issued.at(-1), path);
    t.same(tokens.subjects.at(-1), { accountId: account.id, username: account.email, roles: [] });
    t.equal(await redis.exists(purposeKey(e164(body))), 0, 'the purpose is settled');
  }
  // The Cyrillic path as the client may also send it unencoded (inject encodes nothing itself).
  await identity.post(P.loginByPhone, { phone_number: body.phone_number });
  const raw = await identity.post('/v2/auth/\u0441ode', { login: body.phone_number, code: codes.lastCode() });
  t.equal(raw.statusCode, 200, raw.body);
  const latin = await identity.post('/v2/auth/CODE', { login: body.phone_number, code: '000000' });
  t.equal(latin.statusCode, 404, 'paths are case-sensitive');
});

t.test(
  'code: 422:106 wrong or no code; 404:100 / 404:101; 422:7/8/9; 429 when attempts are used up',
  async (t) => {
    const { body } = await register();
    failure(
      t,
      await identity.post(P.codeCyrillic, { login: body.email_address, code: '123456' }),
      422,
      106,
      'Код недействителен: проверьте его или запросите новый',
    );
    await identity.post(P.passwordRecovery, { login: body.email_address });
    const right = codes.lastCode();
    const wrong = right === '999999' ? '999998' : '999999';
    failure(t, await identity.post(P.codeCyrillic, { login: body.email_address, code: wrong }), 422, 106);
    failure(t, await identity.post(P.codeCyrillic, { login: body.email_address, code: '12ab' }), 422, 106);
    failure(t, await identity.post(P.codeCyrillic, { login: 'nobody@example.ru', code: right }), 404, 100);
    failure(t, await identity.post(P.codeCyrillic, { login: '+79990001122', code: right }), 404, 101);
    failure(
      t,
      await identity.post(P.codeCyrillic, { login: body.email_address }),
      422,
      7,
      'Поле code обязательно',
    );
    failure(t, await identity.post(P.codeCyrillic, { code: right }), 422, 7, 'Поле login обязательно');
    failure(t, await identity.post(P.codeCyrillic, { login: body.email_address, code: '' }), 422, 8);
    failure(
      t,
      await identity.post(P.codeCyrillic, { login: body.email_address, code: Number(right) }),
      422,
      9,
    );

    codes.failCheckWith = new PropuskError('code_attempts_limited', 'wait', { retryAfter: 600 });
    const limited = await identity.post(P.codeCyrillic, { login: body.email_address, code: right });
    codes.failCheckWith = undefined;
    failure(t, limited, 429, 429, 'Слишком много неверных кодов, повторите через 600 с');
    t.equal(limited.headers['retry-after'], '600');

    const ok = await identity.post(P.codeCyrillic, { login: body.email_address, code: right });
    success(t, ok, 'Вход выполнен, задайте новый пароль');
    failure(
      t,
      await identity.post(P.codeCyrillic, { login: body.email_address, code: right }),
      422,
      106,
      undefined,
    );
  },
);

t.test(
  'verification: needs the gateway-verified v2 token; its own login only; marks it verified',
  async (t) => {
    const { body, token, account } = await register();
    const headers = gatewayHeaders(token, account.id);
    failure(t, await identity.post(P.verification, { login: body.email_address }), 401, 401, /Authorization/);
    for (const forged of [
      gatewayHeaders(token, account.id, 'envelope'),
      { ...headers, 'x-propusk-token-id': tokenId('another token') },
      { ...headers, 'x-propusk-subject': 'not-a-uuid' },
    ]) {
      failure(
        t,
        await identity.post(P.verification, { login: body.email_address }, { headers: forged }),
        401,
        401,
      );
    }
    failure(t, await identity.post(P.verification, {}, { headers }), 422, 7);
    failure(t, await identity.post(P.verification, { login: '' }, { headers }), 422, 8);
    failure(t, await identity.post(P.verification, { login: 'ivan@@example.ru' }, { headers }), 422, 9);
    const other = (await register()).body;
    failure(t, await identity.post(P.verification, { login: other.email_address }, { headers }), 404, 100);
    failure(t, await identity.post(P.verification, { login: other.phone_number }, { headers }), 404, 101);

    const sent = await identity.post(P.verification, { login: body.email_address }, { headers });
    t.same(success(t, sent, 'Код отправлен'), { timeout: 60 });
    t.match(codes.issued.at(-1), { purpose: 'v2-verification', channel: 'email', to: account.email });
    const verified = await identity.post(P.code, { login: body.email_address, code: codes.lastCode() });
    t.ok(success(t, verified, 'Контакт подтверждён').token);
    t.match(await identity.prisma.account.findUnique({ where: { id: account.id } }), {
      emailVerified: true,
      phoneVerified: false,
    });

    await identity.post(P.verification, { login: body.phone_number }, { headers });
    t.match(codes.issued.at(-1), { purpose: 'v2-verification', channel: 'sms', to: e164(body) });
    await identity.post(P.code, { login: e164(body), code: codes.lastCode() });
    t.match(await identity.prisma.account.findUnique({ where: { id: account.id } }), { phoneVerified: true });

    codes.failIssueWith = new PropuskError('code_resend_too_soon', 'wait', { retryAfter: 5 });
    const soon = await identity.post(P.verification, { login: body.email_address }, { headers });
    codes.failIssueWith = undefined;
    failure(t, soon, 429, 105);
    t.equal(soon.headers['retry-after'], '5');
  },
);

t.test('recovery to a new password: only with the recovery token; other sessions revoked', async (t) => {
  const { body, account } = await register();
  // A login-code token cannot set a password.
  await identity.post(P.loginByPhone, { phone_number: body.phone_number });
  const loginToken = (
    await identity.post(P.code, { login: body.phone_number, code: codes.lastCode() })
  ).json().data.token;
  const byLogin = await identity.post(
    P.password,
    { password: 'новый пароль 2024' },
    { headers: gatewayHeaders(loginToken, account.id) },
  );
  failure(t, byLogin, 403, 403, 'Задать новый пароль можно только после входа по коду восстановления');

  await identity.post(P.passwordRecovery, { login: body.phone_number });
  const token = (
    await identity.post(P.codeCyrillic, { login: body.phone_number, code: codes.lastCode() })
  ).json().data.token;
  const ttl = await redis.ttl(grantKey(tokenId(token)));
  t.ok(ttl > 890 && ttl <= 900, `the grant lasts 15 minutes (${ttl} s)`);
  const headers = gatewayHeaders(token, account.id);

  failure(t, await identity.post(P.password, { password: 'новый пароль 2024' }), 401, 401);
  failure(t, await identity.post(P.password, {}, { headers }), 422, 7, 'Поле password обязательно');
  failure(t, await identity.post(P.password, { password: '' }, { headers }), 422, 8);
  failure(t, await identity.post(P.password, { password: 'qwerty123' }, { headers }), 422, 9);
  const other = await register();
  failure(
    t,
    await identity.post(
      P.password,
      { password: 'новый пароль 2024' },
      { headers: gatewayHeaders(token, other.account.id) },
    ),
    403,
    403,
  );

  const res = await identity.post(P.password, { password: 'новый пароль 2024' }, { headers });
  t.same(success(t, res, 'Пароль изменён'), {});
  t.same(tokens.revocations.at(-1), { accountId: account.id, keepTokenId: tokenId(token) });
  t.equal(await redis.exists(grantKey(tokenId(token))), 0, 'the grant is used up');
  failure(t, await identity.post(P.password, { password: 'ещё один пароль' }, { headers }), 403, 403);

  // The phone is proven (by the codes above), the e-mail not yet: it takes no recovery code
  // (issue 15, an unproven contact never enters an account whose other contact was proven)
  // until the signed-in owner proves it too. The password, the credential, still signs in.
  failure(t, await identity.post(P.passwordRecovery, { login: body.email_address }), 404, 100);
  await identity.post(P.verification, { login: body.email_address }, { headers });
  const verified = await identity.post(P.code, { login: body.email_address, code: codes.lastCode() });
  t.equal(verified.statusCode, 200, verified.body);
  const oldPassword = await identity.post(P.loginByPassword, {
    email_address: body.email_address,
    password: PASSWORD,
  });
  failure(t, oldPassword, 401, 103);
  const newPassword = await identity.post(P.loginByPassword, {
    email_address: body.email_address,
    password: 'новый пароль 2024',
  });
  t.equal(newPassword.statusCode, 200);
});

t.test('bodies that are not JSON objects: 422:9; no body: 422:7; too large: 413', async (t) => {
  failure(
    t,
    await identity.post(P.loginByPhone, '{"phone_number": '),
    422,
    9,
    'Тело запроса должно быть JSON-объектом',
  );
  failure(t, await identity.post(P.loginByPhone, '["+79161234567"]'), 422, 9);
  failure(t, await identity.post(P.loginByPhone, 'null'), 422, 9);
  failure(t, await identity.post(P.loginByPhone, '{"__proto__": {"x": 1}}'), 422, 9);
  failure(t, await identity.post(P.loginByPhone, ''), 422, 7, 'Поле phone_number обязательно');
  const plain = await identity.post(P.loginByPhone, 'phone_number=89161234567', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  failure(t, plain, 422, 9);
  const none = await identity.inject({ method: 'POST', url: P.registration });
  failure(t, none, 422, 7, 'Поле name обязательно');
  failure(
    t,
    await identity.post(P.registration, JSON.stringify(person({ name: 'И'.repeat(40_000) }))),
    413,
    413,
  );
});

t.test('a neighbour down: 503 {"code": 503}', async (t) => {
  const { body } = await register();
  codes.failIssueWith = new PropuskError('unavailable', 'jetstream down');
  failure(
    t,
    await identity.post(P.passwordRecovery, { login: body.email_address }),
    503,
    503,
    'Сервис временно недоступен, повторите попытку позже',
  );
  codes.failIssueWith = undefined;
  tokens.failIssueWith = new PropuskError('timeout');
  failure(
    t,
    await identity.post(P.loginByPassword, { email_address: body.email_address, password: PASSWORD }),
    503,
    503,
  );
  tokens.failIssueWith = undefined;
});
