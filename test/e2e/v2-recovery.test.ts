import t from 'tap';
import { bootSuite } from '@propusk/testkit';
import { bearer, post } from './helpers/http.js';
import { decodePart } from './helpers/jws.js';
import { fails, newPerson, succeeds, V2, v2Client } from './helpers/v2.js';

// Document 003 (profile v2) password recovery end to end through the gateway: passwordRecovery
// sends a code by SMS (Twilio stand-in) or e-mail (SMTP sink), the code endpoint answers a token,
// POST /v2/auth/password with that token sets the new password (beyond the document: DESIGN
// leaves the last step open). The old password then fails, the new one works, every other
// session of the account is refused while the recovery token lives on.

/** Every test request comes from 127.0.0.1: the per-IP code limits would otherwise mix the subtests. */
const ENV = { CODE_SENDS_PER_IP_PER_HOUR: '10000', CODE_CHECK_FAILURES_PER_IP: '10000' };
/** CODE_RESEND_S's default: document 003's data.timeout. */
const RESEND_S = 60;

t.test('document 003 password recovery through the gateway', async (t) => {
  const suite = await bootSuite({ env: ENV });
  t.teardown(() => suite.stop());
  const { url } = suite;
  const v2 = v2Client(suite);
  const setPassword = (token: string, password: unknown) =>
    post(url, V2.password, { headers: bearer(token), json: { password } });
  const passwordLogin = (email: string, password: string) =>
    post(url, V2.loginByPassword, { json: { email_address: email, password } });

  t.test('passwordRecovery: 200 by SMS and by e-mail, 422:7/8/9, 404:100, 404:101, 429:105', async (t) => {
    const p = newPerson();
    await v2.register(p);
    const cases: Array<[unknown, number, number, string]> = [
      [{}, 422, 7, 'no login'],
      [{ login: '' }, 422, 8, 'empty login'],
      [{ login: ' ' }, 422, 8, 'blank login'],
      [{ login: 'ivan' }, 422, 9, 'neither e-mail nor phone'],
      [{ login: '8 800 555-35-35' }, 422, 9, 'not a mobile'],
      [{ login: null }, 422, 8, 'null'],
      [{ login: ['a@b.ru'] }, 422, 9, 'a list'],
      [{ login: `nobody.${Date.now()}@example.ru` }, 404, 100, 'an e-mail of nobody'],
      [{ login: '+7 926 000-00-03' }, 404, 101, 'a phone of nobody'],
    ];
    for (const [json, status, code, what] of cases)
      fails(t, await post(url, V2.passwordRecovery, { json }), status, code, what);
    fails(t, await post(url, V2.passwordRecovery), 422, 7, 'no body');

    const bySms = await v2.smsCode(p.e164, () =>
      post(url, V2.passwordRecovery, { json: { login: p.phone_number } }),
    );
    t.same(succeeds(t, bySms.res, ['timeout'], 'by phone'), { timeout: RESEND_S });
    t.match(bySms.code, /^\d{6}$/, 'a 6-digit code in the SMS');
    const byMail = await v2.mailCode(p.email_address, () =>
      post(url, V2.passwordRecovery, { json: { login: p.email_address.toUpperCase() } }),
    );
    t.same(succeeds(t, byMail.res, ['timeout'], 'by e-mail'), { timeout: RESEND_S });
    t.match(byMail.code, /^\d{6}$/, 'a 6-digit code in the e-mail');

    const smsAgain = await post(url, V2.passwordRecovery, { json: { login: p.e164 } });
    fails(t, smsAgain, 429, 105, 'a second code to the phone within the cooldown');
    t.ok(Number(smsAgain.headers.get('retry-after')) <= RESEND_S, 'at most the cooldown to wait');
    fails(t, await post(url, V2.passwordRecovery, { json: { login: p.email_address } }), 429, 105, 'e-mail');
    t.equal(suite.standIns.twilio.messages.filter((m) => m.to === p.e164).length, 1, 'one SMS');
  });

  t.test('the whole recovery by SMS: other sessions die, the recovery token lives', async (t) => {
    const p = newPerson();
    const registered = await v2.register(p);
    const earlier = await v2.loginByPassword(p.email_address, p.password);
    fails(t, await v2.accepted(earlier), 422, 7, 'an earlier session is live (and now cached)');

    const sent = await v2.smsCode(p.e164, () =>
      post(url, V2.passwordRecovery, { json: { login: p.e164.replace('+7', '8') } }),
    );
    const res = await post(url, V2.code, { json: { login: p.phone_number, code: sent.code } });
    const { token: recovery } = succeeds(t, res, ['token'], 'the recovery code') as { token: string };
    t.equal(decodePart(recovery, 1).sub, decodePart(earlier, 1).sub, 'a token of the same account');

    const newPassword = `New-secret-${Date.now()}`;
    const changed = await setPassword(recovery, newPassword);
    succeeds(t, changed, [], 'the new password');

    fails(t, await passwordLogin(p.email_address, p.password), 401, 103, 'the old password');
    succeeds(t, await passwordLogin(p.email_address, newPassword), ['token'], 'the new password');
    fails(t, await v2.accepted(earlier), 401, 401, 'the earlier loginByPassword session is refused');
    fails(t, await v2.accepted(registered), 401, 401, 'the registration session is refused');
    fails(t, await post(url, V2.signout, { headers: bearer(earlier) }), 401, 401, 'it cannot even sign out');
    fails(t, await v2.accepted(recovery), 422, 7, 'the recovery token still works');

    fails(t, await setPassword(recovery, `Another-secret-${Date.now()}`), 403, 403, 'the grant is used up');
    succeeds(t, await passwordLogin(p.email_address, newPassword), ['token'], 'the password stayed');
    fails(t, await post(url, V2.code, { json: { login: p.e164, code: sent.code } }), 422, 106, 'single use');
    const out = await post(url, V2.signout, { headers: bearer(recovery) });
    t.equal(out.status, 204, 'the recovery token signs out');
  });

  t.test('the whole recovery by e-mail, the code on the Cyrillic path', async (t) => {
    const p = newPerson();
    await v2.register(p);
    const earlier = await v2.loginByPassword(p.email_address, p.password);
    const sent = await v2.mailCode(p.email_address, () =>
      post(url, V2.passwordRecovery, { json: { login: p.email_address } }),
    );
    const email = suite.standIns.smtp.messages.at(-1);
    t.match(email, { to: [p.email_address], from: 'no-reply@propusk.test' }, 'an e-mail to the account');
    t.notMatch(email?.text ?? '', p.password, 'the e-mail holds no password');
    const res = await post(url, V2.codeCyrillic, {
      json: { login: p.email_address.toUpperCase(), code: sent.code },
    });
    const { token: recovery } = succeeds(t, res, ['token'], 'the e-mailed code') as { token: string };
    const newPassword = `Mail-secret-${Date.now()}`;
    succeeds(t, await setPassword(recovery, newPassword), [], 'the new password');
    fails(t, await passwordLogin(p.email_address, p.password), 401, 103, 'the old password');
    succeeds(t, await passwordLogin(p.email_address, newPassword), ['token'], 'the new password');
    fails(t, await v2.accepted(earlier), 401, 401, 'the earlier session is refused');
    fails(t, await v2.accepted(recovery), 422, 7, 'the recovery token still works');
  });

  t.test('the last request decides what a code does: one flow’s code cannot finish another', async (t) => {
    // A login code, then a recovery code to the same phone: only the recovery code counts.
    const p = newPerson();
    await v2.register(p);
    const login = await v2.smsCode(p.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: p.e164 } }),
    );
    const recovery = await v2.smsCode(p.e164, () =>
      post(url, V2.passwordRecovery, { json: { login: p.e164 } }),
    );
    t.not(login.text, recovery.text, 'two different messages');
    if (login.code === recovery.code)
      return t.comment('the two codes collided (one in a million): nothing to tell apart');
    fails(
      t,
      await post(url, V2.code, { json: { login: p.e164, code: login.code } }),
      422,
      106,
      'the login code',
    );
    const recovered = await v2.signInWithCode(p.e164, recovery.code);
    succeeds(
      t,
      await setPassword(recovered, `Recovered-${Date.now()}`),
      [],
      'the recovery token sets a password',
    );

    // A recovery code, then a login code to the same phone: the login token sets no password.
    const q = newPerson();
    await v2.register(q);
    const first = await v2.smsCode(q.e164, () => post(url, V2.passwordRecovery, { json: { login: q.e164 } }));
    const then = await v2.smsCode(q.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: q.e164 } }),
    );
    if (first.code === then.code)
      return t.comment('the two codes collided (one in a million): nothing to tell apart');
    fails(
      t,
      await post(url, V2.code, { json: { login: q.e164, code: first.code } }),
      422,
      106,
      'the recovery code',
    );
    const signedIn = await v2.signInWithCode(q.e164, then.code);
    fails(
      t,
      await setPassword(signedIn, `Not-allowed-${Date.now()}`),
      403,
      403,
      'a login token sets no password',
    );
    succeeds(t, await passwordLogin(q.email_address, q.password), ['token'], 'the password is unchanged');

    // A recovery code sent to the e-mail does not recover through the phone, nor another account.
    const r = newPerson();
    await v2.register(r);
    const mailed = await v2.mailCode(r.email_address, () =>
      post(url, V2.passwordRecovery, { json: { login: r.email_address } }),
    );
    fails(
      t,
      await post(url, V2.code, { json: { login: r.e164, code: mailed.code } }),
      422,
      106,
      'via the phone',
    );
    fails(
      t,
      await post(url, V2.code, { json: { login: p.e164, code: mailed.code } }),
      422,
      106,
      'another login',
    );
    succeeds(
      t,
      await post(url, V2.code, { json: { login: r.email_address, code: mailed.code } }),
      ['token'],
      'own',
    );
  });

  t.test('the new password: 401 without a token, 403 without a recovery, 422:7/8/9', async (t) => {
    const p = newPerson();
    const registered = await v2.register(p);
    fails(t, await post(url, V2.password, { json: { password: 'Whatever-123' } }), 401, 401, 'no token');
    fails(t, await setPassword(registered, 'Whatever-12345'), 403, 403, 'a registration token');
    const byPassword = await v2.loginByPassword(p.email_address, p.password);
    fails(t, await setPassword(byPassword, 'Whatever-12345'), 403, 403, 'a loginByPassword token');

    const sent = await v2.smsCode(p.e164, () => post(url, V2.passwordRecovery, { json: { login: p.e164 } }));
    const recovery = await v2.signInWithCode(p.e164, sent.code);
    fails(t, await post(url, V2.password, { headers: bearer(recovery), json: {} }), 422, 7, 'no password');
    fails(t, await setPassword(recovery, ''), 422, 8, 'an empty password');
    fails(t, await setPassword(recovery, 'short'), 422, 9, 'too short');
    fails(t, await setPassword(recovery, 12345678), 422, 9, 'not a string');
    fails(t, await setPassword(recovery, 'x'.repeat(129)), 422, 9, 'too long');
    succeeds(t, await passwordLogin(p.email_address, p.password), ['token'], 'nothing changed yet');
    // The refusals above did not use the grant up.
    succeeds(t, await setPassword(recovery, `Finally-${Date.now()}`), [], 'a valid password');
    fails(t, await passwordLogin(p.email_address, p.password), 401, 103, 'the old password');
    fails(t, await v2.accepted(byPassword), 401, 401, 'the other session is refused');
  });
});
