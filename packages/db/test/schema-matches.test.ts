// The hand-written migrations must build exactly the database schema.prisma describes:
// migrate a fresh database, then compare pg_catalog with Prisma's own reading of the schema.
import { readFile } from 'node:fs/promises';
// CommonJS bundle whose named exports Node cannot detect: take the default export.
import internals from '@prisma/internals';
import pg from 'pg';
import t from 'tap';
import { createTestDatabase } from '../src/test-database.js';
import { diffShapes, shapeFromDatabase, shapeFromDmmf, type SchemaShape } from './fixtures/schema-shape.js';

const schemaPath = new URL('../prisma/schema.prisma', import.meta.url);
// Prisma's bookkeeping table is not in schema.prisma; migrate.test.ts checks it.
const BOOKKEEPING = ['_prisma_migrations'];

const dmmf = await internals.getDMMF({ datamodel: await readFile(schemaPath, 'utf8') });
const expected = shapeFromDmmf(dmmf.datamodel);
const database = await createTestDatabase();
const client = new pg.Client({ connectionString: database.url });
await client.connect();
t.teardown(async () => {
  await client.end();
  await database.drop();
});

t.test('the migrated database matches schema.prisma', async (t) => {
  const actual = await shapeFromDatabase(client, BOOKKEEPING);
  t.same(diffShapes(expected, actual), [], 'no differences');
  t.same(Object.keys(actual.tables).sort(), Object.keys(expected.tables).sort(), 'no extra tables');
});

t.test('spot checks of the expected shape', async (t) => {
  // Guards the comparison itself: if shapeFromDmmf went blind, everything would "match".
  const accounts = expected.tables.accounts ?? {};
  t.same(accounts.roles, { type: 'role[]', nullable: true, default: 'ARRAY[]::role[]' });
  t.same(accounts.id, { type: 'uuid', nullable: false, default: 'gen_random_uuid()' });
  t.same(accounts.updated_at, { type: 'timestamp(3) with time zone', nullable: false, default: null });
  t.same(expected.enums.key_status, ['active', 'retiring', 'retired']);
  t.match(expected.indexes.accounts_username_key, { unique: true, columns: ['username'] });
  t.match(expected.indexes.federated_identities_provider_subject_key, { columns: ['provider', 'subject'] });
  t.match(expected.indexes.federated_identities_account_id_idx, { unique: false });
  t.match(expected.foreignKeys.telegram_chats_account_id_fkey, { onDelete: 'SET NULL', onUpdate: 'CASCADE' });
  t.match(expected.foreignKeys.federated_identities_account_id_fkey, { onDelete: 'CASCADE' });
});

t.test('drift in the database is reported', async (t) => {
  // Each change runs in a transaction that is rolled back, so the database stays as migrated.
  const drifts: [string, RegExp][] = [
    ['ALTER TABLE accounts DROP COLUMN patronymic', /missing column in accounts: patronymic/],
    ['ALTER TABLE accounts ADD COLUMN nickname text', /unexpected column in accounts: nickname/],
    ['ALTER TABLE accounts ALTER COLUMN email SET NOT NULL', /accounts\.email: NOT NULL, expected nullable/],
    [
      'ALTER TABLE accounts ALTER COLUMN email_verified DROP DEFAULT',
      /accounts\.email_verified: default null/,
    ],
    ['ALTER TABLE telegram_chats ALTER COLUMN chat_id TYPE integer', /telegram_chats\.chat_id: type integer/],
    ['DROP INDEX accounts_phone_key', /missing index accounts_phone_key/],
    ['CREATE INDEX extra_idx ON accounts (surname)', /unexpected index extra_idx/],
    ["ALTER TYPE provider ADD VALUE 'ok'", /enum provider/],
    ['CREATE TABLE stray (id int)', /unexpected table stray/],
    [
      'ALTER TABLE federated_identities DROP CONSTRAINT federated_identities_account_id_fkey, ' +
        'ADD CONSTRAINT federated_identities_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts(id) ' +
        'ON DELETE RESTRICT ON UPDATE CASCADE',
      /foreign key federated_identities_account_id_fkey: .*"onDelete":"RESTRICT"/,
    ],
  ];
  for (const [sql, report] of drifts) {
    let actual: SchemaShape;
    await client.query('BEGIN');
    try {
      await client.query(sql);
      actual = await shapeFromDatabase(client, BOOKKEEPING);
    } finally {
      await client.query('ROLLBACK');
    }
    t.match(diffShapes(expected, actual).join('\n'), report, sql);
  }
});
