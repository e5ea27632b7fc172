import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createPrismaClient, createTestDatabase } from '@propusk/db';

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

/** The CLI itself, without npm's bootstrap around it (faster; the database is migrated already). */
function authctl(databaseUrl: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/authctl/src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

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
    const secret = (hs[1]!.privateJwk as { k: string }).k;
    t.notMatch(list.out + first.out + second.out, secret, 'the secret is never printed');

    const bad = authctl(db.url, 'keys', 'rotate', '--alg', 'none');
    t.equal(bad.code, 2);
    t.match(bad.err, /--alg must be one of RS256, HS256/);
  });

  t.test('an unknown command prints usage and exits 2', async (t) => {
    const r = authctl(db.url, 'users', 'delete');
    t.equal(r.code, 2);
    t.match(r.err, /usage: npm run authctl/);
  });
});
