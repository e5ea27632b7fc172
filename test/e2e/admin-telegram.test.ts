import t from 'tap';
import { spawnSync } from 'node:child_process';
import { bootSuite, eventually } from '@propusk/testkit';
import { bearer, post } from './helpers/http.js';
import { decodePart } from './helpers/jws.js';

// Document 000 (profile admin-telegram) end to end: the operator allowlists a Telegram username,
// the user presses /start in the bot (Telegram stand-in), requests a code, reads it from the
// Telegram message, registers, logs in, refreshes; reusing a refresh token kills the family;
// logout kills the access token. Real Postgres, Redis, NATS/JetStream and all six processes.

const ROOT = new URL('../..', import.meta.url).pathname;
const CODE_PATH = '/api/v1/admin/registration/code';
const REGISTER_PATH = '/api/v1/admin/registration';
const AUTH_PATH = '/api/v1/admin/auth';
const LOGOUT_PATH = '/api/v1/admin/logout';

/** `npm run authctl -- …` without npm's bootstrap (installed and migrated already). */
function authctl(databaseUrl: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/authctl/src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`authctl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const REUSE_GRACE_MS = 300;

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1];

const claimsOf = (token: string) => decodePart(token, 1);
const headerOf = (token: string) => decodePart(token, 0);

t.test('document 000 through the gateway and the Telegram bot', async (t) => {
  // A short reuse grace, so the test can outwait it (concurrent refreshes: attacks/brute-force.test.ts).
  const suite = await bootSuite({ env: { REFRESH_REUSE_GRACE_MS: String(REUSE_GRACE_MS) } });
  t.teardown(() => suite.stop());
  const { url } = suite;
  const telegram = suite.standIns.telegram;
  const chatId = 3546223;
  const password = '4tfgefhey75uh';

  authctl(suite.databaseUrl, 'staff', 'add', 'I0HuKc');
  t.match(authctl(suite.databaseUrl, 'staff', 'list'), /i0hukc/i, 'the operator allowlisted the username');

  t.test('before /start: not on the list, or no chat recorded yet', async (t) => {
    const stranger = await post(url, CODE_PATH, { json: { username: 'stranger', password } });
    t.equal(stranger.status, 403);
    t.match(stranger.body, { message: /list/i }, 'says the username is not on the allowlist');
    const early = await post(url, CODE_PATH, { json: { username: 'I0HuKc', password } });
    t.equal(early.status, 409);
    t.match(early.body, { message: /\/start/ }, 'tells the user to press /start in the bot');
  });

  t.test('/start from a stranger is answered that they are not on the list', async (t) => {
    telegram.sendStart({ chatId: 777, username: 'stranger' });
    const reply = await telegram.waitForMessage((m) => String(m.chat_id) === '777', 20_000);
    t.ok(reply.text.length > 0, `the bot answered: ${reply.text}`);
    t.notOk(codeIn(reply.text), 'no code for a stranger');
  });

  let code = '';
  t.test('/start (username in another case) records the chat; the code arrives by Telegram DM', async (t) => {
    telegram.sendStart({ chatId, username: 'i0hukc' });
    await telegram.waitForMessage((m) => String(m.chat_id) === String(chatId), 20_000);
    // The bot's answer and the recording happen together; request until the chat is known.
    let res = await post(url, CODE_PATH, { json: { username: 'I0HuKc', password } });
    await eventually(async () => {
      if (res.status === 409) res = await post(url, CODE_PATH, { json: { username: 'I0HuKc', password } });
      return res.status !== 409;
    }, 10_000);
    t.equal(res.status, 200);
    t.same(res.body, {}, 'document 000: the answer is {}');
    const message = await telegram.waitForMessage(
      (m) => String(m.chat_id) === String(chatId) && codeIn(m.text) !== undefined,
      20_000,
    );
    code = codeIn(message.text) as string;
    t.match(code, /^\d{6}$/, 'a 6-digit code in the message');

    const again = await post(url, CODE_PATH, { json: { username: 'I0HuKc', password } });
    t.equal(again.status, 429, 'a second request at once waits for the cooldown');
    t.ok(Number(again.headers.get('retry-after')) > 0, 'Retry-After says how long');
    t.match(again.body, { message: /\d+/ });
  });

  t.test('registration with the code (a number, as in the document)', async (t) => {
    const wrong = await post(url, REGISTER_PATH, { json: { code: (Number(code) + 1) % 1_000_000 } });
    t.equal(wrong.status, 400, 'a wrong code is refused');
    t.type((wrong.body as { message?: unknown }).message, 'string');
    const res = await post(url, REGISTER_PATH, { json: { code: Number(code) } });
    t.equal(res.status, 200, res.text);
    const replay = await post(url, REGISTER_PATH, { json: { code: Number(code) } });
    t.equal(replay.status, 400, 'the code is single use');
    const twice = await post(url, CODE_PATH, { json: { username: 'i0hukc', password } });
    t.equal(twice.status, 409, 'already registered');
    t.match(twice.body, { message: /already/i });
  });

  t.test('login, refresh, reuse kills the family, logout kills the token', async (t) => {
    const bad = await post(url, AUTH_PATH, { json: { username: 'I0HuKc', password: 'wrong-password-1' } });
    t.equal(bad.status, 401);
    t.type((bad.body as { message?: unknown }).message, 'string');

    const login = await post(url, AUTH_PATH, { json: { username: 'I0HuKc', password } });
    t.equal(login.status, 200, login.text);
    const first = login.body as { access_token: string; refresh_token: string };
    t.same(Object.keys(first).sort(), ['access_token', 'refresh_token']);
    const now = Math.floor(Date.now() / 1000);
    const access = claimsOf(first.access_token);
    t.same(Object.keys(access).sort(), ['access_uuid', 'authorized', 'chat_id', 'exp', 'username']);
    t.match(access, { authorized: true, chat_id: chatId, username: 'I0HuKc' });
    t.ok(Math.abs((access.exp as number) - now - 15 * 60) <= 5, 'access lives 15 minutes');
    const refresh = claimsOf(first.refresh_token);
    t.same(Object.keys(refresh).sort(), ['chat_id', 'exp', 'refresh_uuid', 'username']);
    t.ok(Math.abs((refresh.exp as number) - now - 7 * 86400) <= 5, 'refresh lives 7 days');
    t.equal(headerOf(first.access_token).alg, 'HS256');

    const rotated = await post(url, AUTH_PATH, { json: { refresh_token: first.refresh_token } });
    t.equal(rotated.status, 200, rotated.text);
    const second = rotated.body as { access_token: string; refresh_token: string };
    t.not(second.refresh_token, first.refresh_token, 'a new refresh token');
    t.equal(claimsOf(second.access_token).chat_id, chatId);

    // Past REFRESH_REUSE_GRACE_MS a second use is a reuse, not a race of one client.
    await new Promise((r) => setTimeout(r, REUSE_GRACE_MS + 100));
    const reuse = await post(url, AUTH_PATH, { json: { refresh_token: first.refresh_token } });
    t.equal(reuse.status, 401, 'the old refresh token fails');
    t.type((reuse.body as { message?: unknown }).message, 'string');
    const heir = await post(url, AUTH_PATH, { json: { refresh_token: second.refresh_token } });
    t.equal(heir.status, 401, 'its family is dead: the newer refresh token fails too');
    const orphan = await post(url, LOGOUT_PATH, { headers: bearer(second.access_token) });
    t.equal(orphan.status, 401, 'and so does the access token of the family');

    const fresh = await post(url, AUTH_PATH, { json: { username: 'I0HuKc', password } });
    t.equal(fresh.status, 200);
    const third = fresh.body as { access_token: string; refresh_token: string };
    const asAccess = await post(url, LOGOUT_PATH, { headers: bearer(third.refresh_token) });
    t.equal(asAccess.status, 401, 'a refresh token is not an access token');
    const out = await post(url, LOGOUT_PATH, { headers: bearer(third.access_token) });
    t.equal(out.status, 200, out.text);
    t.same(out.body, { message: 'successfully logged out' });
    const after = await post(url, LOGOUT_PATH, { headers: bearer(third.access_token) });
    t.equal(after.status, 401, 'the same token is refused on the very next request');
    t.type((after.body as { message?: unknown }).message, 'string');
    const noToken = await post(url, LOGOUT_PATH);
    t.equal(noToken.status, 401);
  });

  t.test('Telegram answers 429 with retry_after, then 200: exactly one message', async (t) => {
    const chat2 = 5550001;
    authctl(suite.databaseUrl, 'staff', 'add', 'second_admin');
    telegram.sendStart({ chatId: chat2, username: 'Second_Admin' });
    await telegram.waitForMessage((m) => String(m.chat_id) === String(chat2), 20_000);
    const toChat2 = () =>
      telegram.sent.filter((m) => String(m.chat_id) === String(chat2) && codeIn(m.text) !== undefined);
    telegram.failNext(1, {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const requestedAt = Date.now();
    let res = await post(url, CODE_PATH, { json: { username: 'second_admin', password } });
    await eventually(async () => {
      if (res.status === 409)
        res = await post(url, CODE_PATH, { json: { username: 'second_admin', password } });
      return res.status !== 409;
    }, 10_000);
    t.equal(res.status, 200, res.text);
    await telegram.waitForMessage(
      (m) => String(m.chat_id) === String(chat2) && codeIn(m.text) !== undefined,
      20_000,
    );
    t.ok(Date.now() - requestedAt >= 1000, 'delivered after retry_after');
    // Give a duplicate delivery the time it would need to show up.
    await new Promise((r) => setTimeout(r, 2500));
    t.equal(toChat2().length, 1, 'exactly one message');
  });
});
