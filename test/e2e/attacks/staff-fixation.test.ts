import t from 'tap';
import { bootSuite, eventually } from '@propusk/testkit';
import { IDENTITY_SETTINGS } from '../../../services/identity/src/settings.js';
import { createUsers } from '../helpers/accounts.js';
import { ADMIN, codeIn, enrolStaff } from '../helpers/admin-telegram.js';
import type { Answer } from '../helpers/http.js';
import { callFrom } from '../helpers/source-ip.js';

// Staff registration fixation (issue 15) through the gateway, with the Telegram stand-in:
// whoever knows a staff username may request a code with a password of his choosing, and the
// code goes to the staff member's chat. The owner's own request must not be locked out by the
// stranger's, must supersede it (the stranger's code completes nothing), and every message must
// say that a password was chosen, when and from which address, so the owner can tell his own
// request from another. And document 000's login must not tell the right password from a wrong
// one for an account without a linked chat. Each client is its own loopback address.

const PER_ACCOUNT = IDENTITY_SETTINGS.LOGIN_MAX_FAILURES_PER_ACCOUNT.default;
const STRANGER = '127.0.0.66';
const OWNER = '127.0.0.77';
const USERNAME = 'Fixation_Target';
const CHAT = 6_600_771;
const STRANGER_PASSWORD = 'stranger-chose-this-1';
const OWNER_PASSWORD = 'owner-chose-this-2';

/** "2026-12-05 08:30:12 UTC" in a message: the request's moment, to the second. */
function momentIn(text: string): number | undefined {
  const match = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC/.exec(text);
  return match ? Date.parse(`${match[1]}T${match[2]}Z`) : undefined;
}

t.test('staff registration fixation through the gateway', async (t) => {
  const suite = await bootSuite();
  t.teardown(() => suite.stop());
  const { url } = suite;
  const telegram = suite.standIns.telegram;
  const from = (address: string, path: string, json: unknown) =>
    callFrom(address, url, 'POST', path, { json });
  const toChat = (m: { chat_id: unknown; text: string }, address: string) =>
    String(m.chat_id) === String(CHAT) && codeIn(m.text) !== undefined && m.text.includes(address);

  await enrolStaff(suite, { username: USERNAME, chatId: CHAT });

  /** A code request from `address`, with its wall-clock window (to the second, as the message says it). */
  async function requestCode(address: string, password: string) {
    const since = Math.floor(Date.now() / 1000) * 1000;
    const body = { username: USERNAME, password };
    let res: Answer = await from(address, ADMIN.code, body);
    // The bot's answer and the recording of the chat happen together: ask until it is known.
    await eventually(async () => {
      if (res.status === 409) res = await from(address, ADMIN.code, body);
      return res.status !== 409;
    }, 10_000);
    return { res, since, until: Date.now() };
  }

  const stranger = await requestCode(STRANGER, STRANGER_PASSWORD);
  const owner = await requestCode(OWNER, OWNER_PASSWORD);
  const strangerMessage = await telegram.waitForMessage((m) => toChat(m, STRANGER), 20_000);
  const ownerMessage = await telegram.waitForMessage((m) => toChat(m, OWNER), 20_000);

  t.test(
    "a stranger's request, then the owner's: only the owner's code registers, with his password",
    async (t) => {
      t.equal(stranger.res.status, 200, stranger.res.text);
      t.equal(owner.res.status, 200, "the stranger's request does not make the owner wait (no 429)");
      t.same(owner.res.body, {}, 'document 000: the answer is {}');
      const strangerCode = codeIn(strangerMessage.text) as string;
      const ownerCode = codeIn(ownerMessage.text) as string;
      t.not(strangerCode, ownerCode);

      const early = await from(OWNER, ADMIN.registration, { code: Number(strangerCode) });
      t.equal(early.status, 400, "the owner typing the stranger's code registers nothing");
      t.same(early.body, { message: 'the code is wrong, expired or already used' });
      const noAccount = await from(STRANGER, ADMIN.auth, { username: USERNAME, password: STRANGER_PASSWORD });
      t.equal(noAccount.status, 401, "the stranger's password did not become an account");

      const done = await from(OWNER, ADMIN.registration, { code: Number(ownerCode) });
      t.equal(done.status, 200, done.text);
      t.same(done.body, {});
      const signedIn = await from(OWNER, ADMIN.auth, { username: USERNAME, password: OWNER_PASSWORD });
      t.equal(signedIn.status, 200, "the owner's code set the owner's password");
      t.same(Object.keys(signedIn.body as object).sort(), ['access_token', 'refresh_token']);

      const late = await from(STRANGER, ADMIN.registration, { code: Number(strangerCode) });
      t.equal(late.status, 400, "the stranger's code does not work afterwards either");
      const strangerLogin = await from(STRANGER, ADMIN.auth, {
        username: USERNAME,
        password: STRANGER_PASSWORD,
      });
      t.equal(strangerLogin.status, 401, "the stranger's password never works");
      t.same(strangerLogin.body, { message: 'wrong username or password' });
    },
  );

  t.test('the Telegram message says a password was chosen, when and from which address', async (t) => {
    for (const [message, request, address] of [
      [strangerMessage, stranger, STRANGER],
      [ownerMessage, owner, OWNER],
    ] as const) {
      t.match(message.text, /выбран пароль/, 'says that a password was chosen');
      t.match(message.text, `с адреса ${address}.`, `names the address ${address}`);
      const at = momentIn(message.text);
      t.ok(
        at !== undefined && at >= request.since && at <= request.until,
        `names the moment of the request (${message.text})`,
      );
      t.match(
        message.text,
        /Если это были не вы, проигнорируйте это сообщение/,
        'says to ignore it if not you',
      );
    }
  });

  t.test('without a linked chat, login answers the right password exactly like a wrong one', async (t) => {
    const password = 'unlinked-staff-password-3';
    await createUsers(suite.databaseUrl, [
      { username: 'unlinked_right', password, roles: ['staff'] },
      { username: 'unlinked_wrong', password, roles: ['staff'] },
    ]);
    // One account always gets its right password, the other always a wrong one, each from its
    // own address; both the answers and the throttle's (which counts both as failures) match
    // attempt by attempt, past the per-account limit.
    const right: Answer[] = [];
    const wrong: Answer[] = [];
    for (let i = 0; i <= PER_ACCOUNT; i++) {
      right.push(await from('127.0.0.88', ADMIN.auth, { username: 'unlinked_right', password }));
      wrong.push(await from('127.0.0.89', ADMIN.auth, { username: 'unlinked_wrong', password: 'not-it-4' }));
    }
    t.equal(right[0]?.status, 401, 'the right password: 401');
    t.same(right[0]?.body, { message: 'wrong username or password' }, "a wrong password's answer");
    t.equal(right[0]?.headers.get('content-type'), wrong[0]?.headers.get('content-type'));
    // The two windows opened some milliseconds apart: a wait may differ by a second, so waits
    // are compared as "there is one".
    const shape = (r: Answer) => [r.status, r.text.replace(/\d+/g, 'N'), r.headers.has('retry-after')];
    t.same(right.map(shape), wrong.map(shape), 'the same status, body and Retry-After, attempt by attempt');
    t.same(
      right.slice(0, PER_ACCOUNT).map((r) => r.text),
      wrong.slice(0, PER_ACCOUNT).map((r) => r.text),
      'byte for byte up to the limit',
    );
    t.equal(right.at(-1)?.status, 429, 'past the limit both are throttled: the right password is no way out');
  });
});
