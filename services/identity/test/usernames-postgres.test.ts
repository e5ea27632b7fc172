// Username keys against the real Postgres (a fresh database): the unique indexes refuse a name
// taken in another case, width or look-alike spelling; logins find an account by its normalised
// form; the backfill gives accounts stored before the keys theirs, oldest first, and leaves a
// later colliding account signing in with its exact name.
import t from 'tap';
import { createPrismaClient, createTestDatabase } from '@propusk/db';
import { eventually } from '@propusk/testkit';
import { backfillUsernameKeys, startUsernameBackfill } from '../src/accounts/backfill.js';
import { createPrismaAccountStore } from '../src/accounts/prisma-store.js';
import { createAccountsService } from '../src/accounts/service.js';
import { normaliseUsername } from '../src/accounts/username.js';

const db = await createTestDatabase();
const prisma = createPrismaClient(db.url);
t.teardown(async () => {
  await prisma.$disconnect();
  await db.drop();
});
const store = createPrismaAccountStore(prisma);
/** Stands in for argon2id: these tests are about names, not hashes. */
const hasher = { hash: async (p: string) => `hash:${p}`, verify: async () => false };
const accounts = createAccountsService({ store, hasher });

/** An account as it was stored before the username keys existed (no keys), `minutesAgo` old. */
async function legacyAccount(username: string, minutesAgo: number): Promise<string> {
  const createdAt = new Date(Date.now() - minutesAgo * 60_000);
  const row = await prisma.account.create({ data: { username, createdAt }, select: { id: true } });
  return row.id;
}

t.test('a name taken in another case, width or look-alike spelling is refused', async (t) => {
  const alice = await accounts.create({ username: 'alice', password: 'correct horse 51' });
  const row = await prisma.account.findUniqueOrThrow({ where: { id: alice.id } });
  t.match(row, { username: 'alice', usernameNormalised: 'alice', usernameSkeleton: 'alice' });
  for (const [typed, why] of [
    ['alice', 'the same name'],
    ['Alice', 'another case'],
    ['\uFF41lice', 'fullwidth ａ'],
    ['\u0430lice', 'Cyrillic а'],
    ['aIice', 'capital I for l'],
  ] as const) {
    await t.rejects(
      accounts.create({ username: typed, password: 'correct horse 52' }),
      { name: 'AccountsError', kind: 'duplicate', field: 'username', message: /username already exists/ },
      `${typed}: ${why}`,
    );
  }
  t.equal(await prisma.account.count({ where: { usernameSkeleton: 'alice' } }), 1, 'still one account');
  const other = await accounts.create({ username: 'alicia', password: 'correct horse 53' });
  t.equal(other.username, 'alicia', 'a name that only starts alike is free');
});

t.test('findByUsername: exact, else by the normalised form', async (t) => {
  const bob = await accounts.create({ username: 'Bob', password: 'correct horse 54' });
  for (const typed of ['Bob', 'bob', 'BOB', '\uFF42ob']) {
    t.equal((await store.findByUsername(typed))?.id, bob.id, typed);
  }
  t.equal(await store.findByUsername('b\u043Eb'), undefined, 'a look-alike names nobody (Cyrillic о)');
  t.equal((await store.findByUsername('bob'))?.username, 'Bob', 'the account keeps the name as typed');
});

t.test('backfill: oldest first, a later colliding account keeps no keys and its exact name', async (t) => {
  const legacy = await legacyAccount('legacy', 30);
  const upper = await legacyAccount('LEGACY', 20);
  const cyrillic = await legacyAccount('l\u0435gacy', 10);
  const alone = await legacyAccount('Solo', 5);
  const first = await backfillUsernameKeys(prisma);
  t.equal(first.filled, 2, 'legacy and Solo got their keys');
  t.same(
    first.colliding.map(({ id }) => id),
    [upper, cyrillic],
    'LEGACY (case) and lеgacy (look-alike) collide with the older legacy',
  );
  t.match(await prisma.account.findUniqueOrThrow({ where: { id: alone } }), { usernameNormalised: 'solo' });
  t.match(await prisma.account.findUniqueOrThrow({ where: { id: upper } }), { usernameNormalised: null });

  t.equal((await store.findByUsername('LEGACY'))?.id, upper, 'its exact name signs the later one in');
  t.equal((await store.findByUsername('Legacy'))?.id, legacy, 'any other case is the older one');
  t.equal((await store.findByUsername('l\u0435gacy'))?.id, cyrillic, 'the look-alike by its exact name');
  await t.rejects(accounts.create({ username: 'LeGaCy', password: 'correct horse 55' }), {
    name: 'AccountsError',
    kind: 'duplicate',
  });

  const again = await backfillUsernameKeys(prisma);
  t.same(again, { filled: 0, colliding: first.colliding }, 'a second run changes nothing');
});

t.test('backfills racing (replicas starting together) write each row once', async (t) => {
  const ids = [];
  for (let i = 0; i < 30; i++) ids.push(await legacyAccount(`racer${i}`, 60 - i));
  const runs = await Promise.all([backfillUsernameKeys(prisma), backfillUsernameKeys(prisma)]);
  t.equal(runs[0].filled + runs[1].filled, 30, 'thirty rows, each filled by one of them');
  const rows = await prisma.account.findMany({ where: { id: { in: ids } } });
  t.ok(
    rows.every((row) => row.usernameNormalised === normaliseUsername(row.username ?? '')),
    'every row holds its own keys',
  );
});

t.test('at start: ready only once the backfill ran; retried while Postgres is unreachable', async (t) => {
  const warnings: string[] = [];
  const log = { info: () => undefined, warn: (_: object, msg: string) => void warnings.push(msg) };
  const down = createPrismaClient('postgresql://postgres@127.0.0.1:5432/propusk_test_does_not_exist');
  const pending = startUsernameBackfill({ prisma: down, log, retryMs: 50 });
  await eventually(async () => warnings.length >= 2, 5_000, 20);
  await t.rejects(pending.check(), /not filled yet/, 'not ready while it cannot run');
  await pending.stop();
  await down.$disconnect();

  const id = await legacyAccount('Starter', 1);
  const started = startUsernameBackfill({ prisma, log, retryMs: 50 });
  await eventually(
    () =>
      started.check().then(
        () => true,
        () => false,
      ),
    5_000,
    20,
  );
  t.match(await prisma.account.findUniqueOrThrow({ where: { id } }), { usernameNormalised: 'starter' });
  await started.stop();
});
