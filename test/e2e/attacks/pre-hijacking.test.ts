import t, { type Test } from 'tap';
import { bootSuite } from '@propusk/testkit';
import { isDetail, isPair, validAccess } from '../helpers/authorization.js';
import { bearer, get, post } from '../helpers/http.js';
import { providerAccessToken, signIn } from '../helpers/oauth.js';
import { fails, newPerson, registrationBody, succeeds, V2, v2Client } from '../helpers/v2.js';

// Pre-account hijacking (Sudhodanan & Paverd, "Pre-hijacked accounts", 2022; issue 15 item 1),
// through the gateway on document 003: an attacker registers with the victim's e-mail and his
// own phone, before the victim does. Whatever the victim does next, the attacker's phone never
// opens the account the victim's e-mail proved, and the victim's e-mail never opens the
// attacker's. On document 002 the attacker's key is a Mail.ru account opened with the victim's
// address (Mail.ru does not host it, so it vouches for nothing): once the victim proves the
// address, that Mail.ru account opens nothing either.

/** Every request comes from 127.0.0.1: the per-IP code limits would otherwise mix the subtests. */
const ENV = { CODE_SENDS_PER_IP_PER_HOUR: '10000', CODE_CHECK_FAILURES_PER_IP: '10000' };

t.test('pre-account hijacking through the gateway', async (t) => {
  const suite = await bootSuite({ env: ENV });
  t.teardown(() => suite.stop());
  const { url } = suite;
  const v2 = v2Client(suite);

  /** The attacker's account: the victim's e-mail, the attacker's phone and password. */
  async function preHijack() {
    const victim = newPerson();
    const attacker = newPerson({ email_address: victim.email_address });
    const session = await v2.register(attacker);
    const taken = await post(url, V2.registration, { json: registrationBody(victim) });
    fails(t, taken, 409, 100, 'the victim cannot register: the e-mail is taken');
    return { victim, attacker, session };
  }

  t.test(
    "document 003: after the victim proves the e-mail, the attacker's phone opens nothing",
    async (t) => {
      const { victim, attacker, session } = await preHijack();

      // The victim recovers the password through the e-mail code, as the document allows.
      const sent = await v2.mailCode(victim.email_address, () =>
        post(url, V2.passwordRecovery, { json: { login: victim.email_address } }),
      );
      const proof = await post(url, V2.code, { json: { login: victim.email_address, code: sent.code } });
      const { token: recovery } = succeeds(t, proof, ['token'], 'the e-mailed code') as { token: string };
      const password = `Victims-own-${Date.now()}`;
      const set = await post(url, V2.password, { headers: bearer(recovery), json: { password } });
      succeeds(t, set, [], 'the victim sets his password');

      fails(t, await v2.accepted(session), 401, 401, "the attacker's registration session is revoked");
      const byPhone = await post(url, V2.loginByPhone, { json: { phone_number: attacker.phone_number } });
      fails(t, byPhone, 404, 100, "loginByPhone to the attacker's phone: not found");
      const recover = await post(url, V2.passwordRecovery, { json: { login: attacker.phone_number } });
      fails(t, recover, 404, 101, "recovery to the attacker's phone: not found");
      t.notOk(
        suite.standIns.twilio.messages.some((m) => m.to === attacker.e164),
        'no code ever reached the attacker',
      );
      const theirs = await post(url, V2.loginByPassword, {
        json: { email_address: victim.email_address, password: attacker.password },
      });
      fails(t, theirs, 401, 103, "the attacker's password is gone");
      const signIn = await post(url, V2.loginByPassword, {
        json: { email_address: victim.email_address, password },
      });
      succeeds(t, signIn, ['token'], 'the victim signs in with his password');
    },
  );

  /** Document 002 with a Mail.ru account the stand-in reports with `email`: its provider token. */
  let mailruSerial = 0;
  async function mailruAccount(email: string): Promise<string> {
    mailruSerial += 1;
    suite.standIns.mailru.setUser({ id: `${process.pid}${Date.now()}${mailruSerial}`, email });
    return providerAccessToken(url, 'mail.ru');
  }
  const validRefresh = (refresh: string) =>
    get(url, `/validate/jwt/refresh?${new URLSearchParams({ refresh })}`);

  /** A recovery code to `email`, entered (document 003): the mailbox is proven. The recovery token. */
  async function proveByRecovery(t: Test, email: string): Promise<string> {
    const sent = await v2.mailCode(email, () => post(url, V2.passwordRecovery, { json: { login: email } }));
    const proof = await post(url, V2.code, { json: { login: email, code: sent.code } });
    return (succeeds(t, proof, ['token'], 'the e-mailed code') as { token: string }).token;
  }

  t.test(
    "document 002: after the victim proves the e-mail, the attacker's Mail.ru account opens nothing",
    async (t) => {
      // What /mail.ru/login answers for a Mail.ru account nobody registered.
      const unknown = await signIn(url, 'mail.ru', 'login', await mailruAccount(newPerson().email_address));
      isDetail(t, unknown, 404, 'login of an unregistered Mail.ru account');

      const victim = newPerson({ email_address: `victim-${process.pid}-${Date.now()}@example.org` });
      const attacker = await mailruAccount(victim.email_address);
      const registration = await signIn(url, 'mail.ru', 'registration', attacker);
      const session = isPair(t, registration, victim.email_address, "the attacker's registration");
      const taken = await post(url, V2.registration, { json: registrationBody(victim) });
      fails(t, taken, 409, 100, 'the victim cannot register: the e-mail is taken');

      // The victim recovers the password through the e-mail code, as document 003 allows.
      const recovery = await proveByRecovery(t, victim.email_address);
      // The first proof of the e-mail ends every session of the account, document 002's too.
      isDetail(t, await validRefresh(session.refresh), 401, "the attacker's refresh token is refused");
      t.equal(await validAccess(t, url, session.access, "the attacker's access token"), false);
      const password = `Victims-own-${Date.now()}`;
      const set = await post(url, V2.password, { headers: bearer(recovery), json: { password } });
      succeeds(t, set, [], 'the victim sets his password');

      const login = await signIn(url, 'mail.ru', 'login', attacker);
      t.equal(login.status, unknown.status, `the attacker's Mail.ru login: ${login.status} ${login.text}`);
      t.equal(login.text, unknown.text, 'answered as a Mail.ru account nobody registered, byte for byte');
      t.equal(login.headers.get('content-type'), unknown.headers.get('content-type'));
      const signedIn = await post(url, V2.loginByPassword, {
        json: { email_address: victim.email_address, password },
      });
      succeeds(t, signedIn, ['token'], 'the victim signs in with his password');
    },
  );

  t.test('document 002: a Mail.ru mailbox proven by a code still signs in with Mail.ru', async (t) => {
    // Mail.ru hosts the address: the account it signs in IS that mailbox, so its word proves it.
    const owner = `owner.${process.pid}.${Date.now()}@mail.ru`;
    const mailru = await mailruAccount(owner);
    const session = isPair(t, await signIn(url, 'mail.ru', 'registration', mailru), owner, 'registration');
    // The code proves nothing new (no password is set: that would end his other sessions anyway).
    await proveByRecovery(t, owner);

    const refresh = await validRefresh(session.refresh);
    t.equal(refresh.status, 200, `the e-mail was proven already: his session lives on (${refresh.text})`);
    isPair(t, await signIn(url, 'mail.ru', 'login', mailru), owner, 'the owner signs in with Mail.ru');
  });

  t.test("an attacker who proved his phone first: the victim's e-mail opens nothing", async (t) => {
    const { victim, attacker } = await preHijack();
    const sent = await v2.smsCode(attacker.e164, () =>
      post(url, V2.loginByPhone, { json: { phone_number: attacker.phone_number } }),
    );
    await v2.signInWithCode(attacker.e164, sent.code);

    // The e-mail was never proven: no code to it opens the account, so the victim is never drawn
    // into an account the attacker's phone enters (the attacker's own password is his account's).
    const recover = await post(url, V2.passwordRecovery, { json: { login: victim.email_address } });
    fails(t, recover, 404, 100, 'recovery by the unproven e-mail: not found');
    t.notOk(
      suite.standIns.smtp.messages.some((m) => m.envelopeTo.includes(victim.email_address)),
      'nothing was mailed to the victim that could draw him into the account',
    );
  });
});
