// Profile authorization (document 002), `/authorization/…`, through app.inject() on the real
// identity process (real Postgres and Redis) beside a fake token service on NATS: every route,
// every status and body, bad input of every kind.
import t from 'tap';
import { PropuskError } from '@propusk/contracts';
import { bootAuthorization, detailFailure } from './fixtures/authorization-identity.js';
import { uniqueIp } from './fixtures/identity.js';

const identity = await bootAuthorization({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
t.teardown(() => identity.close());
const tokens = identity.authorizationTokens;

const REGISTER = '/authorization/registration';
const BY_EMAIL = '/authorization/login/email';
const BY_PHONE = '/authorization/login/phone/number';
const PASSWORD = 'yT7#kq2!mZ';
const UNAVAILABLE = 'Service temporarily unavailable, retry later';

let phoneSeq = 1000;
/** A fresh Russian mobile number per call, so the tests do not meet. */
function nextPhone(): { e164: string; spoken: string } {
  const tail = String(phoneSeq++).padStart(7, '0');
  return { e164: `+7900${tail}`, spoken: `8 900 ${tail.slice(0, 3)}-${tail.slice(3, 5)}-${tail.slice(5)}` };
}

const accountCount = () => identity.prisma.account.count();

/** A pair of document 002: 200, exactly {access, refresh}, never cached, the one the token service made. */
function pairAnswer(t: Tap, res: Awaited<ReturnType<typeof identity.post>>, what = '') {
  t.equal(res.statusCode, 200, `${what} 200 (${res.body})`);
  t.equal(res.headers['cache-control'], 'no-store', `${what} no-store`);
  t.same(Object.keys(res.json()), ['access', 'refresh'], what);
  t.same(res.json(), tokens.issued.at(-1), `${what} the token service's pair`);
}
type Tap = Pick<typeof t, 'equal' | 'same' | 'match'>;

t.test(
  'registration: 200 with a pair for the lower-cased e-mail; the account as the document sends it',
  async (t) => {
    const phone = nextPhone();
    const res = await identity.post(REGISTER, {
      phone_number: phone.spoken,
      email: '  Andrej.Medvedev_2713@GMail.com ',
      hash_password: PASSWORD,
    });
    pairAnswer(t, res, 'registration');
    const account = await identity.prisma.account.findUnique({
      where: { email: 'andrej.medvedev_2713@gmail.com' },
    });
    t.match(account, {
      email: 'andrej.medvedev_2713@gmail.com',
      emailVerified: false,
      phone: phone.e164,
      phoneVerified: false,
      username: null,
      roles: [],
      passwordHash: /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
    });
    t.same(tokens.requests.at(-1), {
      accountId: account!.id,
      userName: 'andrej.medvedev_2713@gmail.com',
      roles: [],
    });

    pairAnswer(
      t,
      await identity.post(BY_EMAIL, { email: 'ANDREJ.Medvedev_2713@gmail.com', hash_password: PASSWORD }),
      'email login',
    );
    t.same(tokens.requests.at(-1), {
      accountId: account!.id,
      userName: 'andrej.medvedev_2713@gmail.com',
      roles: [],
    });
    for (const spelling of [
      phone.e164,
      phone.spoken,
      phone.e164.replace('+7', '7'),
      `+7 (${phone.e164.slice(2, 5)}) ${phone.e164.slice(5)}`,
    ]) {
      pairAnswer(
        t,
        await identity.post(BY_PHONE, { phone_number: spelling, hash_password: PASSWORD }),
        spelling,
      );
      t.equal(tokens.requests.at(-1)?.userName, 'andrej.medvedev_2713@gmail.com', 'named by the e-mail');
    }
  },
);

t.test('every route with a trailing slash too', async (t) => {
  const phone = nextPhone();
  pairAnswer(
    t,
    await identity.post(`${REGISTER}/`, {
      phone_number: phone.e164,
      email: 'slash@example.org',
      hash_password: PASSWORD,
    }),
  );
  pairAnswer(t, await identity.post(`${BY_EMAIL}/`, { email: 'slash@example.org', hash_password: PASSWORD }));
  pairAnswer(t, await identity.post(`${BY_PHONE}/`, { phone_number: phone.e164, hash_password: PASSWORD }));
});

t.test(
  'registration: a taken e-mail (any case) or phone (any spelling) is 409; nothing is written',
  async (t) => {
    const phone = nextPhone();
    pairAnswer(
      t,
      await identity.post(REGISTER, {
        phone_number: phone.e164,
        email: 'taken@example.org',
        hash_password: PASSWORD,
      }),
    );
    const before = await accountCount();
    const issued = tokens.requests.length;
    detailFailure(
      t,
      await identity.post(REGISTER, {
        phone_number: nextPhone().e164,
        email: 'TAKEN@Example.org',
        hash_password: PASSWORD,
      }),
      409,
      'an account with this e-mail address already exists: sign in with /authorization/login/email',
      'e-mail',
    );
    detailFailure(
      t,
      await identity.post(REGISTER, {
        phone_number: phone.spoken,
        email: 'free@example.org',
        hash_password: PASSWORD,
      }),
      409,
      'an account with this phone number already exists: sign in with /authorization/login/phone/number',
      'phone',
    );
    t.equal(await accountCount(), before);
    t.equal(tokens.requests.length, issued, 'no tokens');
  },
);

t.test('registration: two at once with one e-mail: one 200, one 409, one account', async (t) => {
  const body = (phone: string) => ({
    phone_number: phone,
    email: 'race@example.org',
    hash_password: PASSWORD,
  });
  const answers = await Promise.all([
    identity.post(REGISTER, body(nextPhone().e164)),
    identity.post(REGISTER, body(nextPhone().e164)),
  ]);
  t.same(answers.map((a) => a.statusCode).sort(), [200, 409], answers.map((a) => a.body).join(' | '));
  t.equal(await identity.prisma.account.count({ where: { email: 'race@example.org' } }), 1);
});

t.test('registration: bad input is 400 naming the field; no account is made', async (t) => {
  const before = await accountCount();
  const ok = { phone_number: nextPhone().e164, email: 'bad-input@example.org', hash_password: PASSWORD };
  const fields = 'phone_number, email and hash_password';
  const cases: Array<[unknown, string, string]> = [
    [{}, '"phone_number" is required', 'empty object'],
    [{ phone_number: ok.phone_number, hash_password: PASSWORD }, '"email" is required', 'no e-mail'],
    [{ ...ok, hash_password: undefined }, '"hash_password" is required', 'no password'],
    [{ ...ok, phone_number: 79001234567 }, '"phone_number" must be a string', 'a number'],
    [{ ...ok, email: null }, '"email" must be a string', 'null'],
    [{ ...ok, hash_password: ['a'] }, '"hash_password" must be a string', 'an array'],
    [{ ...ok, role: 'admin' }, `unknown field "role": send only ${fields}`, 'unknown field'],
    [[ok], `the body must be a JSON object with ${fields}`, 'an array body'],
    ['"text"', `the body must be a JSON object with ${fields}`, 'a JSON string'],
    ['null', `the body must be a JSON object with ${fields}`, 'JSON null'],
    [{ ...ok, email: '' }, '"email" must not be empty', 'empty e-mail'],
    [
      { ...ok, email: `${'a'.repeat(310)}@example.org` },
      '"email" is too long (at most 320 characters)',
      'long e-mail',
    ],
    [{ ...ok, email: 'not-an-address' }, '"email" must be an e-mail address, e.g. name@example.com', 'no @'],
    [{ ...ok, email: 'a@example' }, '"email" must be an e-mail address, e.g. name@example.com', 'no domain'],
    [
      { ...ok, phone_number: '+7 495 123-45-67' },
      '"phone_number" must be a Russian mobile number, e.g. +79001234567 or 8 900 123-45-67',
      'a landline',
    ],
    [
      { ...ok, phone_number: '+44 7911 123456' },
      '"phone_number" must be a Russian mobile number, e.g. +79001234567 or 8 900 123-45-67',
      'a foreign mobile',
    ],
    [{ ...ok, hash_password: 'short' }, '"hash_password": password must be at least 8 characters', 'short'],
    [{ ...ok, hash_password: 'qwerty123' }, '"hash_password": password is too common', 'common'],
    [
      { ...ok, hash_password: 'x'.repeat(129) },
      '"hash_password": password must be at most 128 characters',
      'long',
    ],
    [
      { ...ok, hash_password: 'x'.repeat(1025) },
      '"hash_password" is too long (at most 1024 characters)',
      'very long',
    ],
  ];
  for (const [body, detail, what] of cases) {
    detailFailure(
      t,
      await identity.post(REGISTER, typeof body === 'string' ? body : JSON.stringify(body)),
      400,
      detail,
      what,
    );
  }
  t.equal(await accountCount(), before);
});

t.test('unreadable bodies: malformed JSON 400, no body 400, not JSON 415, too large 413', async (t) => {
  for (const url of [REGISTER, BY_EMAIL, BY_PHONE]) {
    detailFailure(
      t,
      await identity.post(url, '{"email": "a@b.cd",'),
      400,
      'the request body is not valid JSON',
      `${url} malformed`,
    );
    detailFailure(t, await identity.post(url, ''), 400, /^send a JSON object with /, `${url} empty`);
    const form = await identity.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a%40b.cd&hash_password=x',
    });
    detailFailure(
      t,
      form,
      415,
      'the request body must be JSON (Content-Type: application/json)',
      `${url} form`,
    );
    const big = await identity.post(url, {
      email: 'a@b.cd',
      phone_number: 'x',
      hash_password: 'p'.repeat(20_000),
    });
    detailFailure(t, big, 413, 'the request body is too large', `${url} large`);
  }
  t.equal(
    (await identity.post(BY_EMAIL, '')).json().detail,
    'send a JSON object with email and hash_password',
  );
});

t.test('login: an unknown login and a wrong password are one 401; bad input 400', async (t) => {
  const phone = nextPhone();
  pairAnswer(
    t,
    await identity.post(REGISTER, {
      phone_number: phone.e164,
      email: 'login401@example.org',
      hash_password: PASSWORD,
    }),
  );
  const issued = tokens.requests.length;
  const wrongEmail = 'wrong e-mail or password';
  const wrongPhone = 'wrong phone number or password';
  detailFailure(
    t,
    await identity.post(BY_EMAIL, { email: 'login401@example.org', hash_password: 'not the password' }),
    401,
    wrongEmail,
    'wrong password',
  );
  detailFailure(
    t,
    await identity.post(BY_EMAIL, { email: 'nobody401@example.org', hash_password: PASSWORD }),
    401,
    wrongEmail,
    'unknown',
  );
  detailFailure(
    t,
    await identity.post(BY_EMAIL, { email: 'not an address', hash_password: PASSWORD }),
    401,
    wrongEmail,
    'no address',
  );
  detailFailure(
    t,
    await identity.post(BY_PHONE, { phone_number: phone.spoken, hash_password: 'not the password' }),
    401,
    wrongPhone,
    'wrong password',
  );
  detailFailure(
    t,
    await identity.post(BY_PHONE, { phone_number: nextPhone().e164, hash_password: PASSWORD }),
    401,
    wrongPhone,
    'unknown',
  );
  t.equal(tokens.requests.length, issued, 'no tokens');

  detailFailure(
    t,
    await identity.post(BY_PHONE, { phone_number: 'my phone', hash_password: PASSWORD }),
    400,
    '"phone_number" must be a Russian mobile number, e.g. +79001234567 or 8 900 123-45-67',
  );
  detailFailure(t, await identity.post(BY_EMAIL, { email: 'a@b.cd' }), 400, '"hash_password" is required');
  detailFailure(
    t,
    await identity.post(BY_EMAIL, { email: 'a@b.cd', hash_password: '' }),
    400,
    '"hash_password" must not be empty',
  );
  detailFailure(
    t,
    await identity.post(BY_EMAIL, { email: 'a@b.cd', hash_password: PASSWORD, phone_number: phone.e164 }),
    400,
    'unknown field "phone_number": send only email and hash_password',
  );
  detailFailure(
    t,
    await identity.post(BY_PHONE, { email: 'a@b.cd', hash_password: PASSWORD }),
    400,
    '"phone_number" is required',
  );
  detailFailure(
    t,
    await identity.post(BY_PHONE, { phone_number: 79001234567, hash_password: PASSWORD }),
    400,
    '"phone_number" must be a string',
  );
});

t.test(
  'login: throttled after 3 failures per login: 429 with Retry-After, even with the right password',
  async (t) => {
    const phone = nextPhone();
    pairAnswer(
      t,
      await identity.post(REGISTER, {
        phone_number: phone.e164,
        email: 'throttled@example.org',
        hash_password: PASSWORD,
      }),
    );
    // The budget is the account's from one client address (issue 15).
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) {
      detailFailure(
        t,
        await identity.post(BY_PHONE, { phone_number: phone.e164, hash_password: `wrong ${i}` }, { ip }),
        401,
        'wrong phone number or password',
      );
    }
    for (const spelling of [phone.e164, phone.spoken]) {
      const res = await identity.post(BY_PHONE, { phone_number: spelling, hash_password: PASSWORD }, { ip });
      detailFailure(
        t,
        res,
        429,
        /^too many failed sign-in attempts; wait \d+ seconds before trying again$/,
        spelling,
      );
      const retryAfter = Number(res.headers['retry-after']);
      t.ok(retryAfter > 800 && retryAfter <= 900, `Retry-After ${retryAfter}`);
      t.match(res.json().detail, `wait ${retryAfter} seconds`);
    }
    // The e-mail names the same account: the same budget, whatever the form of login.
    detailFailure(
      t,
      await identity.post(BY_EMAIL, { email: 'throttled@example.org', hash_password: PASSWORD }, { ip }),
      429,
      /^too many failed sign-in attempts/,
      'e-mail of the same account',
    );
    // The owner, from another address, signs in: nobody locks him out.
    pairAnswer(t, await identity.post(BY_EMAIL, { email: 'throttled@example.org', hash_password: PASSWORD }));
  },
);

t.test('the token service failing: 503 for login; registration says the account exists', async (t) => {
  const phone = nextPhone();
  pairAnswer(
    t,
    await identity.post(REGISTER, {
      phone_number: phone.e164,
      email: 'tokens-down@example.org',
      hash_password: PASSWORD,
    }),
  );
  t.teardown(() => tokens.failWith(undefined));
  for (const code of ['unavailable', 'timeout'] as const) {
    tokens.failWith(new PropuskError(code));
    detailFailure(
      t,
      await identity.post(BY_EMAIL, { email: 'tokens-down@example.org', hash_password: PASSWORD }),
      503,
      UNAVAILABLE,
      code,
    );
  }
  // A refusal from the token service means we asked wrongly: our bug, not the client's.
  tokens.failWith(new PropuskError('invalid_request'));
  detailFailure(
    t,
    await identity.post(BY_PHONE, { phone_number: phone.e164, hash_password: PASSWORD }),
    500,
    'Internal server error',
  );

  tokens.failWith(new PropuskError('unavailable'));
  const other = nextPhone();
  const body = { phone_number: other.e164, email: 'half-done@example.org', hash_password: PASSWORD };
  detailFailure(
    t,
    await identity.post(REGISTER, body),
    503,
    'the account was registered, but signing in failed for now: sign in with /authorization/login/email',
  );
  t.equal(
    await identity.prisma.account.count({ where: { email: 'half-done@example.org' } }),
    1,
    'the account stays',
  );
  tokens.failWith(undefined);
  detailFailure(t, await identity.post(REGISTER, body), 409, /sign in with \/authorization\/login\/email$/);
  pairAnswer(t, await identity.post(BY_EMAIL, { email: 'half-done@example.org', hash_password: PASSWORD }));
});
