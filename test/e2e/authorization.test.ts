import t from 'tap';
import { bootSuite } from '@propusk/testkit';
import { isDetail, isPair, validAccess, type Pair } from './helpers/authorization.js';
import { get, post } from './helpers/http.js';
import { Browser, exchange, linkOf, providerRedirect, signIn, visit } from './helpers/oauth.js';
import { newPerson, signedInAt } from './helpers/people.js';
import { revokeToken } from './helpers/revoke.js';

// Document 002 (profile authorization) end to end: password registration and the two logins
// (identity), `/validate/jwt/*` (token), and where providers meet password accounts: an e-mail
// or phone a provider reports never signs in to an existing account. With
// OAUTH_FRONTEND_REDIRECT set, the provider callback redirects to the front end (DESIGN, 002).

const REGISTRATION = '/authorization/registration';
const LOGIN_EMAIL = '/authorization/login/email';
const LOGIN_PHONE = '/authorization/login/phone/number';
const FRONT_END = 'https://front.propusk.test/signed-in?from=propusk';

const PASSWORD = 'Vq8#tLm2!xRz-e2e';

const validateRefresh = (url: string, refresh: string) =>
  get(url, `/validate/jwt/refresh?${new URLSearchParams({ refresh })}`);

t.test('document 002 through the gateway', async (t) => {
  const suite = await bootSuite({ env: { OAUTH_FRONTEND_REDIRECT: FRONT_END } });
  t.teardown(() => suite.stop());
  const { url, standIns } = suite;

  const anna = { email: 'anna.petrova@example.org', phone: '+79001234567' };
  let registered: Pair;

  t.test('registration: 200 {access, refresh} with the document claims', async (t) => {
    const res = await post(url, REGISTRATION, {
      json: { phone_number: '8 900 123-45-67', email: anna.email, hash_password: PASSWORD },
    });
    registered = isPair(t, res, anna.email, 'registration');
    t.equal(res.headers.get('cache-control'), 'no-store', 'tokens are not cached');
    t.equal(await validAccess(t, url, registered.access, 'its access token'), true);
  });

  t.test('registration: a taken e-mail or phone is 409 and makes nothing', async (t) => {
    const sameEmail = await post(url, REGISTRATION, {
      json: { phone_number: '+79001110001', email: 'Anna.Petrova@Example.org', hash_password: PASSWORD },
    });
    isDetail(t, sameEmail, 409, 'the same e-mail (another case)');
    const samePhone = await post(url, REGISTRATION, {
      json: { phone_number: '7 (900) 123-45-67', email: 'boris@example.org', hash_password: PASSWORD },
    });
    isDetail(t, samePhone, 409, 'the same phone (another spelling)');
    // Neither refusal left an account behind: both the e-mail and the phone are still free.
    const boris = await post(url, REGISTRATION, {
      json: { phone_number: '+79001110001', email: 'boris@example.org', hash_password: PASSWORD },
    });
    isPair(t, boris, 'boris@example.org', 'registration with the e-mail and phone refused above');
  });

  t.test('registration: bad input is 400 {detail}', async (t) => {
    const good = { phone_number: '+79002220002', email: 'vera@example.org', hash_password: PASSWORD };
    const cases: Array<[string, unknown]> = [
      ['no hash_password', { phone_number: good.phone_number, email: good.email }],
      ['no email', { phone_number: good.phone_number, hash_password: PASSWORD }],
      ['no phone_number', { email: good.email, hash_password: PASSWORD }],
      ['an e-mail that is not one', { ...good, email: 'vera-at-example.org' }],
      ['a phone that is not a Russian mobile', { ...good, phone_number: '12345' }],
      ['a number where a string belongs', { ...good, phone_number: 79002220002 }],
      ['a password too short', { ...good, hash_password: 'Ab1!' }],
      ['a common password', { ...good, hash_password: 'password123' }],
      ['an array', [good]],
    ];
    for (const [what, json] of cases) isDetail(t, await post(url, REGISTRATION, { json }), 400, what);
    isDetail(t, await post(url, REGISTRATION, { raw: '{"email": ' }), 400, 'a body that is not JSON');
    isDetail(t, await post(url, REGISTRATION), 400, 'no body');
    // None of them registered Vera.
    isPair(t, await post(url, REGISTRATION, { json: good }), good.email, 'the good request afterwards');
  });

  t.test('login by e-mail and by phone: 200 {access, refresh}', async (t) => {
    for (const [what, path, json] of [
      ['e-mail', LOGIN_EMAIL, { email: anna.email, hash_password: PASSWORD }],
      [
        'e-mail in another case',
        `${LOGIN_EMAIL}/`,
        { email: 'ANNA.Petrova@example.org', hash_password: PASSWORD },
      ],
      ['phone in E.164', LOGIN_PHONE, { phone_number: anna.phone, hash_password: PASSWORD }],
      ['phone spelled 8 9…', `${LOGIN_PHONE}/`, { phone_number: '8 900 123 45 67', hash_password: PASSWORD }],
    ] as const) {
      const pair = isPair(t, await post(url, path, { json }), anna.email, `login by ${what}`);
      t.equal(await validAccess(t, url, pair.access, `login by ${what}`), true);
      t.not(pair.access, registered.access, 'a new session each time');
    }
  });

  t.test('login: an unknown login and a wrong password get the same 401', async (t) => {
    const wrongEmail = await post(url, LOGIN_EMAIL, {
      json: { email: anna.email, hash_password: 'Wrong#pass-42' },
    });
    const unknownEmail = await post(url, LOGIN_EMAIL, {
      json: { email: 'nobody@example.org', hash_password: PASSWORD },
    });
    isDetail(t, wrongEmail, 401, 'e-mail: wrong password');
    isDetail(t, unknownEmail, 401, 'e-mail: unknown');
    t.same(unknownEmail.body, wrongEmail.body, 'e-mail: one answer for both');

    const wrongPhone = await post(url, LOGIN_PHONE, {
      json: { phone_number: anna.phone, hash_password: 'Wrong#pass-42' },
    });
    const unknownPhone = await post(url, LOGIN_PHONE, {
      json: { phone_number: '+79009990099', hash_password: PASSWORD },
    });
    isDetail(t, wrongPhone, 401, 'phone: wrong password');
    isDetail(t, unknownPhone, 401, 'phone: unknown');
    t.same(unknownPhone.body, wrongPhone.body, 'phone: one answer for both');

    isDetail(t, await post(url, LOGIN_EMAIL, { json: { email: anna.email } }), 400, 'e-mail: no password');
    isDetail(t, await post(url, LOGIN_PHONE, { raw: 'not json' }), 400, 'phone: a body that is not JSON');
  });

  t.test('/validate/jwt/access: true only for a live access token', async (t) => {
    const res = await get(url, `/validate/jwt/access?access=${registered.access}`);
    t.equal(res.status, 200);
    t.equal(res.text, 'true', 'the JSON literal true');
    t.equal(await validAccess(t, url, registered.refresh, 'a refresh token'), false);
    t.equal(await validAccess(t, url, 'garbage', 'garbage'), false);
    const [h, p, s] = registered.access.split('.');
    const tampered = `${h}.${p}.${(s ?? '').startsWith('A') ? 'B' : 'A'}${(s ?? '').slice(1)}`;
    t.equal(await validAccess(t, url, tampered, 'a changed signature'), false);
    const missing = await get(url, '/validate/jwt/access');
    t.equal(missing.status, 200);
    t.equal(missing.text, 'false', 'no token: false');

    const login = await post(url, LOGIN_EMAIL, { json: { email: anna.email, hash_password: PASSWORD } });
    const pair = isPair(t, login, anna.email, 'a login to revoke');
    t.equal(await validAccess(t, url, pair.access, 'before revocation'), true);
    t.equal(await revokeToken(suite.env, pair.access), true, 'revoked (RFC 7009 over NATS)');
    t.equal(await validAccess(t, url, pair.access, 'a revoked access token'), false);
    t.equal(await validAccess(t, url, registered.access, 'another session'), true, 'other tokens live on');
  });

  t.test('/validate/jwt/refresh: {access, email} for a live refresh token, 401 otherwise', async (t) => {
    const res = await validateRefresh(url, registered.refresh);
    t.equal(res.status, 200, res.text);
    t.same(Object.keys(res.body as object).sort(), ['access', 'email']);
    const { access, email } = res.body as { access: string; email: string };
    t.equal(email, anna.email);
    t.equal(await validAccess(t, url, access, 'the new access token'), true);
    t.not(access, registered.access, 'a new access token');
    const again = await validateRefresh(url, registered.refresh);
    t.equal(again.status, 200, 'the refresh token stays usable (document 002 answers no new one)');

    isDetail(t, await validateRefresh(url, registered.access), 401, 'an access token');
    isDetail(t, await validateRefresh(url, 'garbage'), 401, 'garbage');

    const login = await post(url, LOGIN_PHONE, {
      json: { phone_number: anna.phone, hash_password: PASSWORD },
    });
    const pair = isPair(t, login, anna.email, 'a login to revoke');
    t.equal(await revokeToken(suite.env, pair.refresh), true, 'revoked (RFC 7009 over NATS)');
    isDetail(t, await validateRefresh(url, pair.refresh), 401, 'a revoked refresh token');
  });

  t.test('the callback redirects to the front end with the code (and VK device_id)', async (t) => {
    signedInAt(standIns, 'vk', newPerson('front'));
    const browser = new Browser();
    const back = await providerRedirect(await linkOf(url, 'vk', browser));
    const res = await visit(back, browser);
    t.equal(res.status, 302, res.text);
    t.equal(res.headers.get('cache-control'), 'no-store');
    const location = new URL(res.headers.get('location') ?? '');
    t.equal(`${location.origin}${location.pathname}`, 'https://front.propusk.test/signed-in');
    t.same(
      Object.fromEntries(location.searchParams),
      { from: 'propusk', code: back.searchParams.get('code'), device_id: back.searchParams.get('device_id') },
      'the front end gets the code and device_id, its own query kept, no state',
    );
    // The front end is on the gateway's site: the browser sends the binding cookie with get/token.
    const tokens = await exchange(
      url,
      'vk',
      {
        code: location.searchParams.get('code') ?? '',
        device_id: location.searchParams.get('device_id') ?? '',
      },
      browser,
    );
    t.equal(tokens.status, 200, 'get/token takes what the front end received');
    isDetail(t, await visit(back, browser), 400, 'the callback again (state spent)');
  });

  t.test("a provider's e-mail or phone never signs in to an existing password account", async (t) => {
    /** The whole provider flow (callback by redirect) up to the provider's access token. */
    async function providerToken(path: string): Promise<string> {
      const browser = new Browser();
      const res = await visit(await providerRedirect(await linkOf(url, path, browser)), browser);
      const location = new URL(res.headers.get('location') ?? '');
      const deviceId = location.searchParams.get('device_id');
      const tokens = await exchange(
        url,
        path,
        { code: location.searchParams.get('code') ?? '', ...(deviceId ? { device_id: deviceId } : {}) },
        browser,
      );
      if (tokens.status !== 200) throw new Error(`/${path}/get/token: ${tokens.status} ${tokens.text}`);
      return (tokens.body as { access_token: string }).access_token;
    }

    const sameEmail = { subject: '55500001', email: anna.email, phone: '+79005550001' };
    const samePhone = { subject: '55500002', email: 'someone.else@example.test', phone: anna.phone };
    for (const [id, path, person, what] of [
      ['yandex', 'yandex', sameEmail, 'Yandex, same e-mail'],
      ['mailru', 'mail.ru', sameEmail, 'Mail.ru, same e-mail'],
      ['vk', 'vk', samePhone, 'VK ID, same phone'],
    ] as const) {
      signedInAt(standIns, id, person);
      const token = await providerToken(path);
      isDetail(t, await signIn(url, path, 'login', token), 404, `${what}: login finds no account`);
      isDetail(t, await signIn(url, path, 'registration', token), 409, `${what}: registration refused`);
      isDetail(t, await signIn(url, path, 'login', token), 404, `${what}: and still no account`);
    }
    const login = await post(url, LOGIN_EMAIL, { json: { email: anna.email, hash_password: PASSWORD } });
    isPair(t, login, anna.email, 'the password account is as it was');
  });
});
