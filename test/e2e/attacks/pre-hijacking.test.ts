import t from 'tap';
import { bootSuite } from '@propusk/testkit';
import { bearer, post } from '../helpers/http.js';
import { fails, newPerson, registrationBody, succeeds, V2, v2Client } from '../helpers/v2.js';

// Pre-account hijacking (Sudhodanan & Paverd, "Pre-hijacked accounts", 2022; issue 15 item 1),
// through the gateway on document 003: an attacker registers with the victim's e-mail and his
// own phone, before the victim does. Whatever the victim does next, the attacker's phone never
// opens the account the victim's e-mail proved, and the victim's e-mail never opens the
// attacker's.

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
