import t from 'tap';
import { spawn } from 'node:child_process';
import { createPrismaClient } from '@propusk/db';
import { bootSuite } from '@propusk/testkit';
import { createUsers } from '../helpers/accounts.js';
import { ADMIN, adminRegistrationCode, type AdminPair } from '../helpers/admin-telegram.js';
import { post } from '../helpers/http.js';
import { decodePart } from '../helpers/jws.js';

// Look-alike usernames (issue 15), through the gateway with every process real. Accounts get
// usernames from document 000's registration (staff, through the Telegram bot) and from
// `authctl users create`; documents 001, 002, 003 and 004 register none (001 and 004 only sign
// in; 002 and 003 register e-mail and phone). Once `alice` exists, `Alice`, `аlice` (Cyrillic а)
// and `ａlice` (fullwidth) are refused by both; a login in another case finds the account on
// every document that signs in by username (000, 001, 004), and the documents keep answering
// the username as it was typed at registration.

const ROOT = new URL('../../..', import.meta.url).pathname;
const PASSWORD = 'lookalike-pasword1';
const LOOKALIKES = [
  ['Alice', 'another case'],
  ['\u0430lice', 'Cyrillic а'],
  ['\uFF41lice', 'fullwidth ａ'],
] as const;

/**
 * `npm run authctl -- …` without npm (scripts/authctl.mjs: the bundle, rebuilt when a source
 * changed), as a child process: its status and stderr.
 */
function authctl(databaseUrl: string, ...args: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/authctl.mjs', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, err }));
  });
}

t.test('look-alike usernames through the gateway', async (t) => {
  const suite = await bootSuite();
  t.teardown(() => suite.stop());
  const { url, databaseUrl } = suite;

  /** Accounts whose username normalises or looks like `name`'s, as stored. */
  async function usernamesLike(normalised: string, skeleton: string): Promise<string[]> {
    const prisma = createPrismaClient(databaseUrl);
    try {
      const rows = await prisma.account.findMany({
        where: { OR: [{ usernameNormalised: normalised }, { usernameSkeleton: skeleton }] },
        select: { username: true },
      });
      return rows.map((row) => row.username ?? '');
    } finally {
      await prisma.$disconnect();
    }
  }

  // Document 000: alice registers as staff through the bot.
  const code = await adminRegistrationCode(suite, {
    username: 'alice',
    password: PASSWORD,
    chatId: 5_150_001,
  });
  const registered = await post(url, ADMIN.registration, { json: { code: Number(code) } });
  t.equal(registered.status, 200, `alice registered: ${registered.text}`);

  t.test('document 000: Alice, аlice and ａlice are refused after alice exists', async (t) => {
    const alike = await post(url, ADMIN.code, { json: { username: 'Alice', password: PASSWORD } });
    t.equal(alike.status, 409, 'Alice: the document\'s "username taken" answer');
    t.match(alike.body, { message: /already exists/ });
    // Telegram usernames are a-z, 0-9 and _ only: no allowlist entry can hold another script or
    // width, so these are refused before any look-up, with the answer for a name not on the list.
    for (const [typed, why] of LOOKALIKES.slice(1)) {
      const res = await post(url, ADMIN.code, { json: { username: typed, password: PASSWORD } });
      t.equal(res.status, 403, `${typed} (${why}): refused`);
      t.match(res.body, { message: /staff list/ }, typed);
    }
    t.same(await usernamesLike('alice', 'alice'), ['alice'], 'one account looks like alice');
  });

  t.test('document 000: the Latin spelling of an operator-made look-alike is refused as taken', async (t) => {
    // bоris with a Cyrillic о, made by the operator (as authctl does); then the Telegram user
    // boris registers.
    await createUsers(databaseUrl, [{ username: 'b\u043Eris', password: PASSWORD }]);
    const borisCode = await adminRegistrationCode(suite, {
      username: 'boris',
      password: PASSWORD,
      chatId: 5_150_002,
    });
    const res = await post(url, ADMIN.registration, { json: { code: Number(borisCode) } });
    t.equal(res.status, 409, res.text);
    t.match(res.body, { message: /already exists/ }, 'the document\'s "username taken" answer');
    const login = await post(url, ADMIN.auth, { json: { username: 'boris', password: PASSWORD } });
    t.equal(login.status, 401, 'no account boris was made');
  });

  t.test('authctl users create: Alice, аlice and ａlice are refused after alice exists', async (t) => {
    // The first call brings the CLI's bundle up to date; the others then only run it.
    const create = (typed: string) =>
      authctl(databaseUrl, 'users', 'create', '--username', typed, '--password', PASSWORD);
    const [[first], ...rest] = LOOKALIKES;
    const answers = [await create(first), ...(await Promise.all(rest.map(([typed]) => create(typed))))];
    for (const [i, [typed, why]] of LOOKALIKES.entries()) {
      const r = answers[i];
      t.equal(r?.code, 2, `${typed} (${why}): refused`);
      t.match(r?.err, /username already exists/, `${typed}: ${r?.err.split('\n')[0]}`);
    }
    t.same(await usernamesLike('alice', 'alice'), ['alice'], 'still one account looks like alice');
  });

  t.test('a login in another case finds the account, answered with the name as registered', async (t) => {
    await createUsers(databaseUrl, [{ username: 'carol', password: PASSWORD, roles: ['admin'] }]);
    // Document 000.
    const admin = await post(url, ADMIN.auth, { json: { username: 'ALICE', password: PASSWORD } });
    t.equal(admin.status, 200, `000 ALICE: ${admin.text}`);
    t.equal(decodePart((admin.body as AdminPair).access_token, 1).username, 'alice', '000: token says alice');

    // Document 001, both routes (carol is an admin).
    for (const path of ['/api/v1/auth/admin/', '/api/v1/auth/user/']) {
      const res = await post(url, path, { json: { username: 'Carol', password: PASSWORD } });
      t.equal(res.status, 200, `001 ${path} Carol: ${res.text}`);
      const token = (res.body as { data: { token: string } }).data.token;
      t.equal(decodePart(token, 1).username, 'carol', `001 ${path}: token says carol`);
    }

    // Document 004.
    const drf = await post(url, '/api/v1/login/', { json: { username: 'CAROL', password: PASSWORD } });
    t.equal(drf.status, 200, `004 CAROL: ${drf.text}`);
    t.match(drf.body, { data: { username: 'carol', role: 'staff' } }, '004 answers the name as registered');
    const wide = await post(url, '/api/v1/login/', { json: { username: '\uFF43arol', password: PASSWORD } });
    t.equal(wide.status, 200, `004 ｃarol (fullwidth): ${wide.text}`);
  });

  t.test('a look-alike login names nobody', async (t) => {
    const drf = await post(url, '/api/v1/login/', { json: { username: '\u0441arol', password: PASSWORD } });
    t.equal(drf.status, 401, '004: Cyrillic с');
    const admin = await post(url, ADMIN.auth, { json: { username: '\u0430lice', password: PASSWORD } });
    t.equal(admin.status, 401, '000: Cyrillic а');
  });
});
