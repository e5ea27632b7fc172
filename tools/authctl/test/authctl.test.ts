import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createPrismaClient, createTestDatabase } from '@propusk/db';
import { openPrivateJwk, resolveKeysEncryption } from '@propusk/token/domain';

const ROOT = new URL('../../..', import.meta.url).pathname;

/** Runs the CLI exactly as an operator does (`npm run authctl -- …`). */
function npmAuthctl(databaseUrl: string, ...args: string[]) {
  const r = spawnSync('npm', ['run', '--silent', 'authctl', '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The same launcher without npm around it (what `npm run authctl` runs): a call is quick. */
function authctl(databaseUrl: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['scripts/authctl.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The CLI from its TypeScript sources through tsx, as the launcher runs it without esbuild. */
function authctlFromSources(databaseUrl: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/authctl/src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// Some 40 runs of the CLI, each a fresh Node process loading TypeScript (and argon2 for users):
// 100–130 s on a loaded 2-core machine, over tap's default of 120 s per file.
t.setTimeout(300_000);

t.test('authctl against a real database', async (t) => {
  const db = await createTestDatabase();
  const prisma = createPrismaClient(db.url);
  t.teardown(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  t.test('users create stores an argon2id hash and the role', async (t) => {
    const r = npmAuthctl(
      db.url,
      'users',
      'create',
      '--username',
      'alice',
      '--password',
      'correct horse battery',
      '--role',
      'admin',
      '--email',
      'Alice@Example.com',
    );
    t.equal(r.code, 0, r.err);
    t.match(r.out, /created user alice \(.+\) with role admin/);
    const row = await prisma.account.findUnique({ where: { username: 'alice' } });
    t.match(row?.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    t.same(row?.roles, ['admin']);
    t.equal(row?.email, 'alice@example.com');
  });

  t.test('users create refuses a common password, a duplicate and a bad role', async (t) => {
    const common = authctl(db.url, 'users', 'create', '--username', 'bob', '--password', 'qwerty123');
    t.equal(common.code, 2);
    t.match(common.err, /password is too common/);
    const dup = authctl(
      db.url,
      'users',
      'create',
      '--username',
      'alice',
      '--password',
      'another good passphrase',
    );
    t.equal(dup.code, 2);
    t.match(dup.err, /username already exists/);
    const role = authctl(
      db.url,
      'users',
      'create',
      '--username',
      'carol',
      '--password',
      'another good passphrase',
      '--role',
      'root',
    );
    t.equal(role.code, 2);
    t.match(role.err, /--role must be one of superuser, staff, admin/);
    t.equal(
      await prisma.account.count({ where: { username: { in: ['bob', 'carol'] } } }),
      0,
      'nothing half-made',
    );
  });

  t.test('staff add normalises the Telegram username; staff list shows it', async (t) => {
    t.equal(authctl(db.url, 'staff', 'add', '@I0HuKc_Admin').code, 0);
    t.equal(authctl(db.url, 'staff', 'add', 'i0hukc_admin').code, 0, 'adding twice is fine');
    const list = npmAuthctl(db.url, 'staff', 'list');
    t.equal(list.code, 0);
    t.equal(authctlFromSources(db.url, 'staff', 'list').out, list.out, 'the same from the sources');
    t.match(list.out, /^i0hukc_admin\t\d{4}-/m);
    t.equal(list.out.trim().split('\n').length, 1);
    t.equal(authctl(db.url, 'staff', 'add', 'x!').code, 2);
  });

  t.test('keys rotate adds an active key and keeps the old one verifying', async (t) => {
    t.equal(authctl(db.url, 'keys', 'rotate').code, 0);
    const second = authctl(db.url, 'keys', 'rotate');
    t.equal(second.code, 0);
    const keys = await prisma.signingKey.findMany({ orderBy: { createdAt: 'asc' } });
    t.equal(keys.length, 2);
    t.equal(keys[0]?.status, 'retiring');
    t.ok(keys[0]?.retireAfter && keys[0].retireAfter > new Date(), 'the old key retires later, not now');
    t.equal(keys[1]?.status, 'active');
    t.match(second.out, keys[1]?.kid ?? 'missing');
    const list = authctl(db.url, 'keys', 'list');
    t.match(list.out, /\tRS256\tactive/);
    t.match(list.out, /\tRS256\tretiring\tretires after /);
  });

  t.test('keys rotate --alg HS256 rotates the HMAC key alone; RS256 stays the default', async (t) => {
    const rsBefore = await prisma.signingKey.findMany({ where: { alg: 'RS256' }, orderBy: { kid: 'asc' } });
    const first = authctl(db.url, 'keys', 'rotate', '--alg', 'HS256');
    t.equal(first.code, 0, first.err);
    const second = authctl(db.url, 'keys', 'rotate', '--alg=HS256');
    t.equal(second.code, 0, second.err);
    const hs = await prisma.signingKey.findMany({ where: { alg: 'HS256' }, orderBy: { createdAt: 'asc' } });
    t.strictSame(
      hs.map((k) => k.status),
      ['retiring', 'active'],
    );
    t.match(second.out, new RegExp(`new active signing key ${hs[1]!.kid} \\(HS256\\)`));
    t.strictSame(
      await prisma.signingKey.findMany({ where: { alg: 'RS256' }, orderBy: { kid: 'asc' } }),
      rsBefore,
      'the RS256 keys are untouched',
    );
    t.strictSame(hs[1]!.publicJwk, { kty: 'oct', kid: hs[1]!.kid, alg: 'HS256' }, 'no secret in public_jwk');

    const rs = authctl(db.url, 'keys', 'rotate');
    t.equal(rs.code, 0);
    t.match(rs.out, /\(RS256\)/, 'no --alg: RS256');
    t.equal(
      (await prisma.signingKey.findUnique({ where: { kid: hs[1]!.kid } }))?.status,
      'active',
      'an RS256 rotation leaves the HS256 key active',
    );
    const list = authctl(db.url, 'keys', 'list');
    t.match(list.out, /\tHS256\tactive/);
    t.match(list.out, /\tHS256\tretiring\tretires after /);
    const { sealer } = resolveKeysEncryption({
      KEYS_ENCRYPTION_KEY: process.env.KEYS_ENCRYPTION_KEY,
      NODE_ENV: 'development',
    });
    const secret = (openPrivateJwk(sealer, hs[1]!.kid, hs[1]!.sealedPrivateKey) as { k: string }).k;
    t.notMatch(list.out + first.out + second.out, secret, 'the secret is never printed');

    const bad = authctl(db.url, 'keys', 'rotate', '--alg', 'none');
    t.equal(bad.code, 2);
    t.match(bad.err, /--alg must be one of RS256, HS256/);
  });

  t.test('an unknown command prints usage and exits 2', async (t) => {
    const r = authctl(db.url, 'users', 'delete');
    t.equal(r.code, 2);
    t.match(r.err, /unknown command: users delete/);
    t.match(r.err, /usage: npm run authctl/);
    t.equal(r.out, '');
    const none = npmAuthctl(db.url);
    t.equal(none.code, 2, 'no command at all');
    t.match(none.err, /usage: npm run authctl/);
  });

  t.test('--phone: every spelling the APIs take, stored in E.164 as identity stores it', async (t) => {
    const spellings = [
      ['+79161234501', '+79161234501'],
      ['89161234502', '+79161234502'],
      ['79161234503', '+79161234503'],
      ['8 (916) 123-45-04', '+79161234504'],
      ['+7 916 123 45 05', '+79161234505'],
      ['7-916-123-45-06', '+79161234506'],
      ['+447911123456', '+447911123456'],
    ];
    for (const [i, [given, stored]] of spellings.entries()) {
      const username = `phone${i}`;
      const r = authctl(
        db.url,
        'users',
        'create',
        '--username',
        username,
        '--password',
        'a good passphrase 7',
        '--phone',
        given!,
      );
      t.equal(r.code, 0, `${given}: ${r.err}`);
      t.match(r.out, `phone ${stored}`);
      t.equal(
        (await prisma.account.findUnique({ where: { username } }))?.phone,
        stored,
        `${given} → ${stored}`,
      );
    }
    for (const bad of ['8 495 123-45-67', '12345', '+7 916 123 45 0x', 'phone']) {
      const r = authctl(
        db.url,
        'users',
        'create',
        '--username',
        'nophone',
        '--password',
        'a good passphrase 7',
        '--phone',
        bad,
      );
      t.equal(r.code, 2, bad);
      t.match(r.err, /--phone must be a Russian mobile number/);
    }
    const dup = authctl(
      db.url,
      'users',
      'create',
      '--username',
      'phonedup',
      '--password',
      'a good passphrase 7',
      '--phone',
      '8 916 123 45 01',
    );
    t.equal(dup.code, 2, 'the same number in another spelling is the same phone');
    t.equal(await prisma.account.count({ where: { username: { in: ['nophone', 'phonedup'] } } }), 0);
  });

  t.test('--role adds roles: repeated, it gives the account each of them once', async (t) => {
    const r = npmAuthctl(
      db.url,
      'users',
      'create',
      '--username',
      'multirole',
      '--password',
      'a good passphrase 8',
      '--role',
      'admin',
      '--role',
      'staff',
      '--role=admin',
    );
    t.equal(r.code, 0, r.err);
    t.match(r.out, /with role admin, staff/);
    t.same((await prisma.account.findUnique({ where: { username: 'multirole' } }))?.roles, [
      'admin',
      'staff',
    ]);
    const twice = authctl(
      db.url,
      'users',
      'create',
      '--username',
      'a',
      '--username',
      'b',
      '--password',
      'a good passphrase 8',
    );
    t.equal(twice.code, 2);
    t.match(twice.err, /--username is given 2 times; give it once/);
    const typo = authctl(
      db.url,
      'users',
      'create',
      '--username',
      'typo',
      '--password',
      'a good passphrase 8',
      '--rol',
      'admin',
    );
    t.equal(typo.code, 2);
    t.match(
      typo.err,
      /users create does not take --rol; it takes --username, --password, --role, --email, --phone/,
    );
    t.equal(await prisma.account.count({ where: { username: { in: ['a', 'b', 'typo'] } } }), 0);
  });

  t.test('a warm call through npm is quiet: the answer on stdout, nothing on stderr', async (t) => {
    npmAuthctl(db.url, 'staff', 'list');
    const started = Date.now();
    const r = npmAuthctl(db.url, 'staff', 'list');
    const ms = Date.now() - started;
    t.equal(r.code, 0, r.err);
    t.equal(r.err, '', 'no bootstrap lines, no Prisma "Loaded Prisma config…"');
    t.match(r.out, /^i0hukc_admin\t/m);
    t.comment(`npm run authctl -- staff list answered in ${ms} ms`);
  });
});

t.test('--help: the usage of every command, or of one, on stdout with exit 0', async (t) => {
  const all = npmAuthctl('postgresql://unused@127.0.0.1:1/none', '--help');
  t.equal(all.code, 0, all.err);
  t.equal(all.err, '');
  for (const command of [
    'users create',
    'staff add <telegram-username>',
    'staff list',
    'keys rotate',
    'keys list',
    'keys reseal',
    'outbox show',
    'dev telegram-start <username> <chat-id>',
  ]) {
    t.match(all.out, `\n  ${command}`, `${command} is listed`);
  }
  t.equal((all.out.match(/e\.g\. npm run authctl -- /g) ?? []).length, 8, 'an example for each command');

  const one = authctl('postgresql://unused@127.0.0.1:1/none', 'users', 'create', '--help');
  t.equal(one.code, 0, one.err);
  t.match(
    one.out,
    /^usage: npm run authctl -- users create --username U --password P \[--role superuser\|staff\|admin …\]/,
  );
  for (const flag of [
    '--username U',
    '--password P',
    '--role superuser|staff|admin',
    '--email E',
    '--phone P',
  ])
    t.match(one.out, `    ${flag}`, `${flag} is explained`);
  t.match(one.out, /example:\n {4}npm run authctl -- users create --username alice/);
  for (const argv of [
    ['-h'],
    ['help'],
    ['keys', 'rotate', '-h'],
    ['dev', 'telegram-start', '--help'],
    ['staff', '--help'],
  ]) {
    const r = authctl('postgresql://unused@127.0.0.1:1/none', ...argv);
    t.equal(r.code, 0, argv.join(' '));
    t.match(r.out, /^usage: npm run authctl -- /, argv.join(' '));
  }
  t.match(
    authctl('postgresql://unused@127.0.0.1:1/none', 'keys', 'rotate', '--help').out,
    /--alg RS256\|HS256/,
  );
});
