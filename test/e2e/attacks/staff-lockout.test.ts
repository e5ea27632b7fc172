import t from 'tap';
import { bootSuite, eventually } from '@propusk/testkit';
import { ADMIN, codeIn, enrolStaff } from '../helpers/admin-telegram.js';
import type { Answer } from '../helpers/http.js';
import { callFrom } from '../helpers/source-ip.js';

// Locking the staff out of registering (issue 15 item 4), through the gateway with the Telegram
// stand-in. Document 000's step two sends only `{code}`, so wrong codes are also counted for the
// purpose as a whole, from every address (CODE_LOOKUP_FAILURES_PER_PURPOSE): a cap on guessing
// that an attacker with enough addresses can spend. It must not lock out the staff member who
// requests a code and types it from his own address (OWASP ASVS 5.0 V6.3); every other address
// stays refused with document 000's 429 answer while the window lasts. The budget is made small
// here (5) so a handful of loopback addresses (127.0.0.0/8, each its own client) can spend it.

const PURPOSE_BUDGET = 5;
const ATTACKERS = Array.from({ length: PURPOSE_BUDGET }, (_, i) => `127.0.0.${120 + i}`);
const LATE_ATTACKER = '127.0.0.140';
const NEVER_REQUESTED = '127.0.0.141';
const OWNER = '127.0.0.150';
const USERNAME = 'Lockout_Target';
const CHAT = 6_700_150;
const PASSWORD = 'owner-registers-anyway-5';

const INVALID = { message: 'the code is wrong, expired or already used' };

/** Document 000's answer to too many wrong codes, for the wait its Retry-After names. */
function attemptsLimited(res: Answer) {
  const s = Number(res.headers.get('retry-after'));
  return {
    message: `too many wrong codes; wait ${s === 1 ? '1 second' : `${s} seconds`} before trying again`,
  };
}

t.test('staff registration lockout through the gateway', async (t) => {
  const suite = await bootSuite({ env: { CODE_LOOKUP_FAILURES_PER_PURPOSE: String(PURPOSE_BUDGET) } });
  t.teardown(() => suite.stop());
  const { url } = suite;
  const telegram = suite.standIns.telegram;
  const from = (address: string, path: string, json: unknown) =>
    callFrom(address, url, 'POST', path, { json });

  await enrolStaff(suite, { username: USERNAME, chatId: CHAT });

  t.test(
    'wrong codes from many addresses spend the purpose-wide budget: a fresh address gets 429',
    async (t) => {
      // No code is live yet: every guess is wrong. One guess per address, far below the per-IP budget.
      for (const [i, address] of ATTACKERS.entries()) {
        const res = await from(address, ADMIN.registration, { code: 100_000 + i });
        t.equal(res.status, 400, `${address}: a wrong code (${res.text})`);
        t.same(res.body, INVALID);
      }
      const refused = await from(LATE_ATTACKER, ADMIN.registration, { code: 199_999 });
      t.equal(refused.status, 429, 'the budget of the purpose is spent');
      t.ok(Number(refused.headers.get('retry-after')) > 0, 'Retry-After');
      t.same(refused.body, attemptsLimited(refused), "document 000's answer");
    },
  );

  t.test(
    'the purpose-wide budget spent from many addresses: the staff member who requested a code registers from his own, other addresses get 429',
    async (t) => {
      let requested: Answer = await from(OWNER, ADMIN.code, { username: USERNAME, password: PASSWORD });
      // The bot's answer and the recording of the chat happen together: ask until it is known.
      await eventually(async () => {
        if (requested.status === 409)
          requested = await from(OWNER, ADMIN.code, { username: USERNAME, password: PASSWORD });
        return requested.status !== 409;
      }, 10_000);
      t.equal(requested.status, 200, requested.text);
      const message = await telegram.waitForMessage(
        (m) => String(m.chat_id) === String(CHAT) && codeIn(m.text) !== undefined,
        20_000,
      );
      const code = codeIn(message.text) as string;

      const elsewhere = await from(NEVER_REQUESTED, ADMIN.registration, { code: Number(code) });
      t.equal(elsewhere.status, 429, 'even the right code, from an address that requested none, is refused');
      t.same(elsewhere.body, attemptsLimited(elsewhere));

      const typo = await from(OWNER, ADMIN.registration, { code: (Number(code) + 1) % 1_000_000 });
      t.equal(typo.status, 400, "the owner's typo is a wrong code, not a lockout");
      t.same(typo.body, INVALID);

      const done = await from(OWNER, ADMIN.registration, { code: Number(code) });
      t.equal(done.status, 200, `the owner registers (${done.text})`);
      t.same(done.body, {}, 'document 000: the answer is {}');
      const signedIn = await from(OWNER, ADMIN.auth, { username: USERNAME, password: PASSWORD });
      t.equal(signedIn.status, 200, signedIn.text);
      t.same(Object.keys(signedIn.body as object).sort(), ['access_token', 'refresh_token']);

      for (const address of [LATE_ATTACKER, NEVER_REQUESTED]) {
        const still = await from(address, ADMIN.registration, { code: 123_456 });
        t.equal(still.status, 429, `${address}: still refused while the window lasts`);
        t.same(still.body, attemptsLimited(still));
      }
    },
  );
});
