import t from 'tap';
import { createPrismaClient } from '@propusk/db';
import { bootSuite } from '@propusk/testkit';
import { bearer, post } from './helpers/http.js';
import { decodePart, verifiesWith } from './helpers/jws.js';
import { fails, newPerson, registrationBody, succeeds, V2, v2Client, wrongCode } from './helpers/v2.js';

// Document 003 (profile v2) end to end through the gateway: registration, verification codes,
// login by password or by an SMS code, the code endpoint under both spellings, signout. Codes are
// read as the user reads them, from the SMS (Twilio stand-in) or the e-mail (SMTP sink). Every
// status:code pair the document lists per endpoint, plus 401:103 for a wrong password (DESIGN).
// Password recovery is in v2-recovery.test.ts.

/** Every test request comes from 127.0.0.1: the per-IP code limits would otherwise mix the subtests. */
const ENV = {
  CODE_SENDS_PER_IP_PER_HOUR: '10000',
  CODE_CHECK_FAILURES_PER_IP: '10000',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
  // The first redelivery after Twilio's 500 comes quickly.
  NOTIFY_BACKOFF_BASE_MS: '200',
};
/** CODE_RESEND_S's default: document 003's data.timeout. */
const RESEND_S = 60;

t.test('document 003 through the gateway, Twilio and SMTP', async (t) => {
  const suite = await bootSuite({ env: ENV });
  t.teardown(() => suite.stop());
  const { url } = suite;
  const v2 = v2Client(suite);
  const twilio = suite.standIns.twilio;

  t.test('registration: 200 with an RS256 at+jwt token the published key verifies', async (t) => {
    const p = newPerson({ patronymic: null });
    const res = await post(url, V2.registration, { json: registrationBody(p) });
    const { token } = succeeds(t, res, ['token'], 'registration') as { token: string };
    t.equal(res.headers.get('cache-control'), 'no-store', 'a token is never cached');
    const header = decodePart(token, 0);
    t.match(header, { alg: 'RS256', typ: 'at+jwt', kid: String });
    const claims = decodePart(token, 1);
    t.same(Object.keys(claims).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sub']);
    t.match(claims, { iss: url, aud: 'propusk:v2', sub: /^[0-9a-f-]{36}$/ });
    t.ok(Number(claims.exp) > Math.floor(Date.now() / 1000), 'not expired');
    const prisma = createPrismaClient(suite.databaseUrl);
    t.teardown(() => prisma.$disconnect());
    const key = await prisma.signingKey.findUnique({ where: { kid: String(header.kid) } });
    t.ok(key && verifiesWith(token, key.publicJwk as Record<string, unknown>), 'signed by the published key');
    const account = await prisma.account.findUnique({ where: { id: String(claims.sub) } });
    t.match(account, { email: p.email_address, phone: p.e164 }, 'stored normalised: the phone in E.164');
    fails(t, await v2.accepted(token), 422, 7, 'the token opens a protected route');
    const patronymicAbsent = newPerson();
    const { patronymic: _none, ...withoutPatronymic } = registrationBody(patronymicAbsent);
    succeeds(t, await post(url, V2.registration, { json: withoutPatronymic }), ['token'], 'no patronymic');
  });

  t.test('registration: 422:7 missing, 422:8 empty, 422:9 invalid, per field', async (t) => {
    const body = registrationBody(newPerson());
    const without = (field: string) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== field));
    for (const field of ['name', 'surname', 'email_address', 'phone_number', 'password']) {
      fails(t, await post(url, V2.registration, { json: without(field) }), 422, 7, `no ${field}`);
      fails(
        t,
        await post(url, V2.registration, { json: { ...body, [field]: '' } }),
        422,
        8,
        `empty ${field}`,
      );
    }
    fails(t, await post(url, V2.registration, { json: { ...body, name: '   ' } }), 422, 8, 'blank name');
    // patronymic is "string/null": null says there is none, an empty string is an empty field.
    fails(
      t,
      await post(url, V2.registration, { json: { ...body, patronymic: '' } }),
      422,
      8,
      'empty patronymic',
    );
    fails(t, await post(url, V2.registration, { json: {} }), 422, 7, 'an empty object');
    const invalid: Array<[string, unknown]> = [
      ['name', 42],
      ['surname', ['Петров']],
      ['patronymic', 7],
      ['email_address', 'ivan.example.ru'],
      ['email_address', 'ivan@'],
      ['phone_number', '+7 495 123-45-67'], // a Moscow landline, not a mobile
      ['phone_number', '+1 202 555 0123'],
      ['phone_number', 'позвоните мне'],
      ['password', 'short'],
      ['password', 12345678],
    ];
    for (const [field, value] of invalid) {
      const res = await post(url, V2.registration, { json: { ...body, [field]: value } });
      fails(t, res, 422, 9, `${field} ${JSON.stringify(value)}`);
    }
    fails(t, await post(url, V2.registration, { raw: '{"name": ' }), 422, 9, 'malformed JSON');
    fails(t, await post(url, V2.registration, { json: ['a'] }), 422, 9, 'not an object');
    // Nothing of the above created an account: the same person registers now.
    succeeds(t, await post(url, V2.registration, { json: body }), ['token'], 'the valid body');
  });

  t.test('registration: 409:100 for a taken e-mail, 409:101 for a taken phone', async (t) => {
    const p = newPerson();
    await v2.register(p);
    const other = newPerson();
    const sameEmail = { ...registrationBody(other), email_address: p.email_address.toUpperCase() };
    fails(t, await post(url, V2.registration, { json: sameEmail }), 409, 100, 'the e-mail in capitals');
    const samePhone = { ...registrationBody(other), phone_number: p.e164.replace('+7', '7') };
    fails(t, await post(url, V2.registration, { json: samePhone }), 409, 101, 'the phone as 7 9XX…');
    const both = { ...registrationBody(other), email_address: p.email_address, phone_number: p.e164 };
    fails(t, await post(url, V2.registration, { json: both }), 409, 100, 'both taken: the e-mail first');
    fails(
      t,
      await post(url, V2.registration, { json: registrationBody(p) }),
      409,
      100,
      'the same person again',
    );
    succeeds(t, await post(url, V2.registration, { json: registrationBody(other) }), ['token'], 'the other');
  });

  t.test('loginByPassword: 200, 422:7/8/9, 404:100, 401:103, then throttled', async (t) => {
    const p = newPerson();
    await v2.register(p);
    const ok = await post(url, V2.loginByPassword, {
      json: { email_address: `  ${p.email_address.toUpperCase()} `, password: p.password },
    });
    const { token } = succeeds(t, ok, ['token'], 'e-mail in any case') as { token: string };
    t.match(decodePart(token, 0), { alg: 'RS256', typ: 'at+jwt', kid: String });
    fails(t, await v2.accepted(token), 422, 7, 'the token opens a protected route');
    const second = await v2.loginByPassword(p.email_address, p.password);
    t.not(second, token, 'a token per sign-in');

    const creds = { email_address: p.email_address, password: p.password };
    fails(t, await post(url, V2.loginByPassword, { json: { password: p.password } }), 422, 7, 'no e-mail');
    fails(
      t,
      await post(url, V2.loginByPassword, { json: { email_address: p.email_address } }),
      422,
      7,
      'no pw',
    );
    fails(t, await post(url, V2.loginByPassword), 422, 7, 'no body');
    fails(t, await post(url, V2.loginByPassword, { json: { ...creds, email_address: '' } }), 422, 8, 'empty');
    fails(t, await post(url, V2.loginByPassword, { json: { ...creds, password: '' } }), 422, 8, 'empty pw');
    fails(
      t,
      await post(url, V2.loginByPassword, { json: { ...creds, email_address: p.e164 } }),
      422,
      9,
      'phone',
    );
    fails(
      t,
      await post(url, V2.loginByPassword, { json: { ...creds, password: 12345678 } }),
      422,
      9,
      'number',
    );

    const stranger = { email_address: `nobody.${Date.now()}@example.ru`, password: p.password };
    fails(t, await post(url, V2.loginByPassword, { json: stranger }), 404, 100, 'unknown e-mail');

    // LOGIN_MAX_FAILURES_PER_ACCOUNT is 3 in this suite.
    const wrong = { ...creds, password: 'not-the-password-1' };
    for (let i = 1; i <= 3; i++)
      fails(t, await post(url, V2.loginByPassword, { json: wrong }), 401, 103, `wrong password #${i}`);
    const throttled = await post(url, V2.loginByPassword, { json: creds });
    fails(t, throttled, 429, 429, 'after 3 failures even the right password waits');
  });

  t.test(
    'verification: codes to the account’s own e-mail and phone; 422, 404:100/101, 429:105',
    async (t) => {
      const p = newPerson();
      const token = await v2.register(p);
      const auth = { headers: bearer(token) };

      const byMail = await v2.mailCode(p.email_address, () =>
        post(url, V2.verification, { ...auth, json: { login: p.email_address.toUpperCase() } }),
      );
      t.same(succeeds(t, byMail.res, ['timeout'], 'verification by e-mail'), { timeout: RESEND_S });
      t.match(byMail.code, /^\d{6}$/, 'a 6-digit code in the e-mail');
      const mail = suite.standIns.smtp.messages.at(-1);
      t.match(mail, { from: 'no-reply@propusk.test', to: [p.email_address] });
      t.ok(mail?.subject, 'the e-mail has a subject');

      const bySms = await v2.smsCode(p.e164, () =>
        post(url, V2.verification, { ...auth, json: { login: p.phone_number } }),
      );
      t.same(succeeds(t, bySms.res, ['timeout'], 'verification by phone'), { timeout: RESEND_S });
      t.match(bySms.code, /^\d{6}$/, 'a 6-digit code in the SMS');

      const again = await post(url, V2.verification, { ...auth, json: { login: p.email_address } });
      fails(t, again, 429, 105, 'a second code within the cooldown');
      t.ok(Number(again.headers.get('retry-after')) <= RESEND_S, 'at most the cooldown to wait');
      fails(t, await post(url, V2.verification, { ...auth, json: { login: p.e164 } }), 429, 105, 'by phone');

      const prisma = createPrismaClient(suite.databaseUrl);
      t.teardown(() => prisma.$disconnect());
      const flags = () =>
        prisma.account.findUnique({
          where: { email: p.email_address },
          select: { emailVerified: true, phoneVerified: true },
        });
      t.same(await flags(), { emailVerified: false, phoneVerified: false }, 'nothing verified yet');
      const mailed = await post(url, V2.code, { json: { login: p.email_address, code: byMail.code } });
      succeeds(t, mailed, ['token'], 'the e-mailed code');
      const texted = await post(url, V2.codeCyrillic, { json: { login: p.e164, code: bySms.code } });
      succeeds(t, texted, ['token'], 'the texted code');
      t.same(await flags(), { emailVerified: true, phoneVerified: true }, 'both contacts verified');

      const other = newPerson();
      await v2.register(other);
      const cases: Array<[unknown, number, number, string]> = [
        [{}, 422, 7, 'no login'],
        [{ login: '' }, 422, 8, 'empty login'],
        [{ login: 'не логин' }, 422, 9, 'neither e-mail nor phone'],
        [{ login: '+7 495 123-45-67' }, 422, 9, 'a landline'],
        [{ login: 42 }, 422, 9, 'a number'],
        [{ login: `nobody.${Date.now()}@example.ru` }, 404, 100, 'an e-mail of nobody'],
        [{ login: other.email_address }, 404, 100, 'another account’s e-mail'],
        [{ login: '+7 926 000-00-00' }, 404, 101, 'a phone of nobody'],
        [{ login: other.phone_number }, 404, 101, 'another account’s phone'],
      ];
      for (const [json, status, code, what] of cases)
        fails(t, await post(url, V2.verification, { ...auth, json }), status, code, what);

      const none = await post(url, V2.verification, { json: { login: p.email_address } });
      fails(t, none, 401, 401, 'no token');
      t.match(none.headers.get('www-authenticate'), /^Bearer/);
      const garbage = await post(url, V2.verification, {
        headers: bearer('not.a.jwt'),
        json: { login: p.email_address },
      });
      fails(t, garbage, 401, 401, 'a garbage token');
    },
  );

  t.test('the whole phone login: loginByPhone, the SMS, the code, a token', async (t) => {
    const p = newPerson();
    await v2.register(p);
    const sent = await v2.smsCode(p.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: p.e164.replace('+7', '+7 ') } }),
    );
    t.same(succeeds(t, sent.res, ['timeout'], 'loginByPhone'), { timeout: RESEND_S });
    const sms = twilio.messages.at(-1);
    t.match(sms, { to: p.e164, from: twilio.from }, 'texted to the E.164 number from our number');
    t.match(sent.code, /^\d{6}$/);

    const res = await post(url, V2.codeCyrillic, {
      json: { login: p.phone_number.replace(/[^\d]/g, ''), code: sent.code },
    });
    const { token } = succeeds(t, res, ['token'], 'the code, login as 89XX… digits') as { token: string };
    t.match(decodePart(token, 0), { alg: 'RS256', typ: 'at+jwt', kid: String });
    fails(t, await v2.accepted(token), 422, 7, 'the token opens a protected route');
    const replay = await post(url, V2.code, { json: { login: p.e164, code: sent.code } });
    fails(t, replay, 422, 106, 'the code is single use');
  });

  t.test('loginByPhone: 422:7/8/9, 404:100, 429:105', async (t) => {
    const p = newPerson();
    await v2.register(p);
    const cases: Array<[unknown, number, number, string]> = [
      [{}, 422, 7, 'no phone'],
      [{ phone_number: '' }, 422, 8, 'empty phone'],
      [{ phone_number: '  ' }, 422, 8, 'blank phone'],
      [{ phone_number: p.email_address }, 422, 9, 'an e-mail'],
      [{ phone_number: '8 495 123 45 67' }, 422, 9, 'a landline'],
      [{ phone_number: 79161234567 }, 422, 9, 'a number'],
      [{ phone_number: '+7 926 000-00-01' }, 404, 100, 'a phone of nobody'],
    ];
    for (const [json, status, code, what] of cases)
      fails(t, await post(url, V2.loginByPhone, { json }), status, code, what);
    fails(
      t,
      await post(url, V2.loginByPhone, { raw: 'phone_number=1', contentType: 'text/plain' }),
      422,
      9,
      'text',
    );

    await v2.smsCode(p.e164, () => post(url, V2.loginByPhone, { json: { phone_number: p.phone_number } }));
    const again = await post(url, V2.loginByPhone, { json: { phone_number: p.e164 } });
    fails(t, again, 429, 105, 'the code was sent already');
    t.equal(twilio.messages.filter((m) => m.to === p.e164).length, 1, 'no second SMS');
  });

  t.test('code: both spellings; 422:7/8/9, 404:100, 404:101, 422:106', async (t) => {
    const p = newPerson();
    await v2.register(p);
    const paths = [V2.code, V2.codeCyrillic, `${V2.code}/`, `${V2.codeCyrillic}/`, '/v2/auth/%d1%81ode'];
    for (const path of paths) {
      const cases: Array<[unknown, number, number, string]> = [
        [{ code: '123456' }, 422, 7, 'no login'],
        [{ login: p.e164 }, 422, 7, 'no code'],
        [{ login: '', code: '123456' }, 422, 8, 'empty login'],
        [{ login: p.e164, code: '' }, 422, 8, 'empty code'],
        [{ login: 'не логин', code: '123456' }, 422, 9, 'a bad login'],
        [{ login: p.e164, code: 123456 }, 422, 9, 'the code as a number'],
        [{ login: `nobody.${Date.now()}@example.ru`, code: '123456' }, 404, 100, 'an e-mail of nobody'],
        [{ login: '+7 926 000-00-02', code: '123456' }, 404, 101, 'a phone of nobody'],
        [{ login: p.email_address, code: '123456' }, 422, 106, 'no code was sent'],
      ];
      for (const [json, status, code, what] of cases)
        fails(t, await post(url, path, { json }), status, code, `${path}: ${what}`);
    }

    for (const path of [V2.code, V2.codeCyrillic]) {
      const q = newPerson();
      await v2.register(q);
      const sent = await v2.smsCode(q.e164, () =>
        post(url, V2.loginByPhone, { json: { phone_number: q.e164 } }),
      );
      fails(
        t,
        await post(url, path, { json: { login: q.e164, code: wrongCode(sent.code) } }),
        422,
        106,
        'wrong',
      );
      fails(t, await post(url, path, { json: { login: q.e164, code: 'abcdef' } }), 422, 106, 'not digits');
      fails(
        t,
        await post(url, path, { json: { login: q.e164, code: `${sent.code}0` } }),
        422,
        106,
        '7 digits',
      );
      succeeds(t, await post(url, path, { json: { login: q.e164, code: sent.code } }), ['token'], path);
    }
  });

  t.test('code: after five wrong attempts the code is dead, the right one included', async (t) => {
    const p = newPerson();
    await v2.register(p);
    const sent = await v2.smsCode(p.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: p.e164 } }),
    );
    for (let i = 1; i <= 5; i++) {
      const res = await post(url, V2.code, { json: { login: p.e164, code: wrongCode(sent.code) } });
      fails(t, res, 422, 106, `wrong code #${i}`);
    }
    const right = await post(url, V2.code, { json: { login: p.e164, code: sent.code } });
    fails(t, right, 422, 106, 'the right code after five wrong ones');
  });

  t.test('code: a code proves only the login it was sent to', async (t) => {
    const a = newPerson();
    const b = newPerson();
    await v2.register(a);
    await v2.register(b);
    const toA = await v2.smsCode(a.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: a.e164 } }),
    );
    const toB = await v2.smsCode(b.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: b.e164 } }),
    );
    if (toA.code === toB.code)
      return t.comment('the two codes collided (one in a million): nothing to tell apart');
    fails(
      t,
      await post(url, V2.code, { json: { login: b.e164, code: toA.code } }),
      422,
      106,
      'A’s code for B',
    );
    fails(
      t,
      await post(url, V2.code, { json: { login: a.email_address, code: toA.code } }),
      422,
      106,
      'A’s e-mail',
    );
    const tokenB = await v2.signInWithCode(b.e164, toB.code);
    const tokenA = await v2.signInWithCode(a.e164, toA.code);
    const subOf = (token: string) => decodePart(token, 1).sub;
    t.not(subOf(tokenA), subOf(tokenB), 'each signs in its own account');
    t.equal(subOf(tokenA), subOf(await v2.loginByPassword(a.email_address, a.password)), 'A is A');
  });

  t.test('signout: 204, then the token is refused; other tokens live on', async (t) => {
    const p = newPerson();
    const registered = await v2.register(p);
    const token = await v2.loginByPassword(p.email_address, p.password);
    fails(t, await v2.accepted(token), 422, 7, 'live before the signout (and now cached)');
    const out = await post(url, V2.signout, { headers: bearer(token), json: {} });
    t.equal(out.status, 204, out.text);
    t.equal(out.text, '', 'no body');
    fails(t, await v2.accepted(token), 401, 401, 'refused on a protected route at once');
    fails(t, await post(url, V2.signout, { headers: bearer(token) }), 401, 401, 'signing out again');
    fails(t, await v2.accepted(registered), 422, 7, 'the registration token still works');
    fails(t, await post(url, V2.signout), 401, 401, 'no token');
    const slash = await post(url, `${V2.signout}/`, { headers: bearer(registered) });
    t.equal(slash.status, 204, 'with a trailing slash');
    fails(t, await v2.accepted(registered), 401, 401, 'that one is refused too');
  });

  t.test("document 003's Authorization header: the bare JWT, as well as Bearer", async (t) => {
    const p = newPerson();
    const token = await v2.register(p);
    const bare = { authorization: token };
    fails(
      t,
      await post(url, V2.verification, { json: {}, headers: bare }),
      422,
      7,
      'the bare token opens it',
    );
    const out = await post(url, V2.signout, { headers: bare, json: {} });
    t.equal(out.status, 204, `signout with the bare token: ${out.text}`);
    fails(t, await post(url, V2.verification, { json: {}, headers: bare }), 401, 401, 'then it is refused');
    fails(t, await v2.accepted(token), 401, 401, 'as Bearer too');
    fails(t, await post(url, V2.verification, { json: {}, headers: { authorization: 'garbage' } }), 401, 401);
  });

  t.test('a wrong method on a v2 path: 405 with Allow, {"code": 405}', async (t) => {
    for (const path of [V2.registration, V2.codeCyrillic, `${V2.signout}/`]) {
      const res = await fetch(`${url}${path}`);
      t.equal(res.status, 405, path);
      t.equal(res.headers.get('allow'), 'POST', `${path}: Allow`);
      t.same(await res.json(), {
        code: 405,
        message: 'Метод GET не разрешён, допустимые перечислены в заголовке Allow',
      });
    }
  });

  t.test('Twilio answers 500, then 201: exactly one SMS, and its code works', async (t) => {
    const p = newPerson();
    await v2.register(p);
    const attempts = () => twilio.requests.filter((r) => r.params.To === p.e164).length;
    twilio.failNext(1, 500);
    const sent = await v2.smsCode(p.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: p.e164 } }),
    );
    succeeds(t, sent.res, ['timeout'], 'loginByPhone answers once the SMS is queued');
    t.equal(attempts(), 2, 'Twilio was asked twice: the 500, then the 201');
    // Give a duplicate delivery the time it would need to show up.
    await new Promise((r) => setTimeout(r, 2500));
    t.equal(twilio.messages.filter((m) => m.to === p.e164).length, 1, 'exactly one SMS');
    t.equal(attempts(), 2, 'and no further request');
    succeeds(
      t,
      await post(url, V2.code, { json: { login: p.e164, code: sent.code } }),
      ['token'],
      'the code',
    );
  });

  t.test('SMTP answers 451, then 250: exactly one e-mail, and its code works', async (t) => {
    const p = newPerson();
    const token = await v2.register(p);
    const smtp = suite.standIns.smtp;
    smtp.failNext(1, { code: 451 });
    const sent = await v2.mailCode(p.email_address, () =>
      post(url, V2.verification, { headers: bearer(token), json: { login: p.email_address } }),
    );
    await new Promise((r) => setTimeout(r, 2500));
    t.equal(smtp.messages.filter((m) => m.to.includes(p.email_address)).length, 1, 'exactly one e-mail');
    const res = await post(url, V2.codeCyrillic, { json: { login: p.email_address, code: sent.code } });
    succeeds(t, res, ['token'], 'the code');
  });
});
