// identity.recordTelegramChat over real NATS, answered by the real identity process, written to
// a fresh Postgres database: what the Telegram bot calls when a user presses /start.
import t from 'tap';
import { identityOps, namespace, rpcSubject } from '@propusk/contracts';
import { connectNats } from '@propusk/kit';
import { NATS_URL, bootIdentity } from './fixtures/identity.js';
import { silentLog } from './fixtures/silent-log.js';

const identity = await bootIdentity();
t.teardown(() => identity.close());

const chatOf = (telegramUsername: string) =>
  identity.prisma.telegramChat.findUnique({ where: { telegramUsername } });

t.test('an allowlisted username, in any case and with @, is recorded lower-cased', async (t) => {
  await identity.allow('I0HuKc');
  t.same(await identity.start('@I0HuKc', 3546223), { allowlisted: true });
  t.match(await chatOf('i0hukc'), { telegramUsername: 'i0hukc', chatId: 3546223n, accountId: null });
  t.same(await identity.start('I0HUKC', 5_000_000_001), { allowlisted: true }, 'a new /start moves the chat');
  t.match(await chatOf('i0hukc'), { chatId: 5_000_000_001n }, 'ids beyond 32 bits survive');
  t.equal(await identity.prisma.telegramChat.count(), 1);
});

t.test('anyone not on the allowlist: false, and nothing is written', async (t) => {
  const before = await identity.prisma.telegramChat.count();
  for (const username of ['stranger', 'ab', 'not a name', '@']) {
    t.same(await identity.start(username, 42), { allowlisted: false }, username);
  }
  t.equal(await identity.prisma.telegramChat.count(), before);
});

t.test('an existing account with the name (any case) is linked; a link survives a new /start', async (t) => {
  const id = await identity.seed({ username: 'Cli_Staff', roles: ['staff'] });
  await identity.allow('cli_staff');
  t.same(await identity.start('cli_staff', 777), { allowlisted: true });
  t.match(await chatOf('cli_staff'), { chatId: 777n, accountId: id });
  t.same(await identity.start('CLI_STAFF', 778), { allowlisted: true });
  t.match(await chatOf('cli_staff'), { chatId: 778n, accountId: id });
});

t.test('`_` matches only itself: a look-alike account is not linked', async (t) => {
  await identity.seed({ username: 'linkXme', roles: ['staff'] });
  await identity.allow('link_me');
  t.same(await identity.start('link_me', 779), { allowlisted: true });
  t.match(await chatOf('link_me'), { chatId: 779n, accountId: null });
});

t.test('requests outside the contract are refused', async (t) => {
  for (const req of [
    { username: 'i0hukc', chatId: 1.5 },
    { username: 'i0hukc', chatId: '3546223' },
    { username: '', chatId: 1 },
    { username: 'i0hukc', chatId: 1, accountId: 'x' },
  ]) {
    await t.rejects(
      identity.rpc.call(identityOps.recordTelegramChat, req as never),
      { code: 'invalid_request' },
      JSON.stringify(req),
    );
  }
  // The same, sent raw past the client's own check: the server refuses it too.
  const nats = await connectNats(NATS_URL, 'raw-test', silentLog);
  t.teardown(() => nats.drain());
  const subject = rpcSubject(namespace(identity.ns), 'identity', identityOps.recordTelegramChat.op);
  const raw = await nats.nc.request(subject, JSON.stringify({ username: 'i0hukc', chatId: 'x' }), {
    timeout: 5000,
  });
  t.match(raw.json(), { ok: false, error: { code: 'invalid_request' } });
});
