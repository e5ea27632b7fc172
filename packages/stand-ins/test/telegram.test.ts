import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { Bot, GrammyError } from 'grammy';
import { startTelegramStandIn, type TelegramStandIn } from '../src/telegram.js';

/** Bot API answers are checked field by field; this keeps them indexable without `any`. */
interface Json {
  [key: string]: Json;
}

async function call(standIn: TelegramStandIn, method: string, params: object = {}, token = standIn.token) {
  const response = await fetch(`${standIn.url}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(10000),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

t.test('Bot API envelope, token check, sendMessage recording', async (t) => {
  const tg = await startTelegramStandIn();
  t.teardown(() => tg.close());
  t.match(tg.token, /^\d+:[A-Za-z0-9_-]{35}$/);

  const bad = await call(tg, 'getMe', {}, '1:wrong');
  t.equal(bad.status, 401);
  t.same(bad.body, { ok: false, error_code: 401, description: 'Unauthorized' });

  const me = await call(tg, 'getMe');
  t.equal(me.body.ok, true);
  t.match(me.body.result, { is_bot: true, id: Number(tg.token.split(':')[0]), username: 'propusk_test_bot' });

  // GET with query parameters works too.
  const viaGet = await fetch(`${tg.url}/bot${tg.token}/sendMessage?chat_id=42&text=hi`);
  t.equal(viaGet.status, 200);
  const first = ((await viaGet.json()) as Json).result as Json;
  const second = (await call(tg, 'sendMessage', { chat_id: '42', text: 'again', parse_mode: 'HTML' })).body
    .result;
  t.match(first, { chat: { id: 42 }, text: 'hi' });
  t.ok(Number(second?.message_id) > Number(first.message_id), 'message ids increase');
  t.same(
    tg.sent.map((m) => [m.chat_id, m.text]),
    [
      [42, 'hi'],
      [42, 'again'],
    ],
  );
  t.equal(tg.sent[1]?.parse_mode, 'HTML', 'extra params are recorded');

  const empty = await call(tg, 'sendMessage', { chat_id: 42, text: ' ' });
  t.same(empty, {
    status: 400,
    body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' },
  });
  const unknown = await call(tg, 'noSuchMethod');
  t.equal(unknown.status, 404);
  t.equal((await call(tg, 'answerCallbackQuery', { callback_query_id: '1' })).body.result, true);
  t.same(tg.calls.slice(0, 2), ['getMe', 'sendMessage']);
});

t.test('failNext answers sendMessage errors, then recovers; blocked chats stay blocked', async (t) => {
  const tg = await startTelegramStandIn();
  t.teardown(() => tg.close());
  tg.failNext(1, { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
  const refused = await call(tg, 'sendMessage', { chat_id: 7, text: 'code 123456' });
  t.same(refused, {
    status: 403,
    body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
  });
  t.equal(tg.sent.length, 0, 'a failed send is not recorded');
  t.equal((await call(tg, 'getMe')).status, 200, 'failNext does not touch other methods');
  t.equal((await call(tg, 'sendMessage', { chat_id: 7, text: 'code 123456' })).status, 200);

  tg.blockChat(8);
  t.equal((await call(tg, 'sendMessage', { chat_id: 8, text: 'x' })).status, 403);
  t.equal((await call(tg, 'sendMessage', { chat_id: 8, text: 'x' })).status, 403);
  tg.blockChat(8, false);
  t.equal((await call(tg, 'sendMessage', { chat_id: 8, text: 'x' })).status, 200);
});

t.test('getUpdates long polling honours timeout and offset', async (t) => {
  const tg = await startTelegramStandIn();
  t.teardown(() => tg.close());

  const started = Date.now();
  const idle = await call(tg, 'getUpdates', { timeout: 1 });
  t.same(idle.body, { ok: true, result: [] });
  t.ok(Date.now() - started >= 900, 'held for the timeout');

  const polling = call(tg, 'getUpdates', { timeout: 10 });
  await tg.waitForCall('getUpdates');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const pushed = tg.sendStart({ chatId: 555, username: 'alice' });
  const woke = Date.now();
  const answer = await polling;
  t.ok(Date.now() - woke < 500, 'answered as soon as the update arrived');
  t.match(answer.body.result, [
    {
      update_id: pushed.update_id,
      message: {
        chat: { id: 555, type: 'private' },
        from: { id: 555, username: 'alice', is_bot: false },
        text: '/start',
        entities: [{ offset: 0, length: 6, type: 'bot_command' }],
      },
    },
  ]);
  t.equal(answer.body.result?.length, 1);

  // Unconfirmed updates come again; an offset past them confirms them.
  t.equal((await call(tg, 'getUpdates', { offset: 0 })).body.result?.length, 1);
  t.same((await call(tg, 'getUpdates', { offset: pushed.update_id + 1 })).body.result, []);
  t.same((await call(tg, 'getUpdates', { offset: 0 })).body.result, [], 'confirmed updates are gone');

  const deep = tg.sendStart({ chatId: 556, username: 'bob', text: '/start ref42' });
  t.equal((deep.message as Json).entities?.[0]?.length, 6, 'bot_command covers /start only');
});

t.test('a second getUpdates ends the first with 409, as with two bot instances', async (t) => {
  const tg = await startTelegramStandIn();
  t.teardown(() => tg.close());
  const first = call(tg, 'getUpdates', { timeout: 10 });
  await tg.waitForCall('getUpdates');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const second = call(tg, 'getUpdates', { timeout: 0 });
  const conflict = await first;
  t.equal(conflict.status, 409);
  t.match(conflict.body.description, /terminated by other getUpdates request/);
  t.equal((await second).status, 200);
});

t.test('close() releases a held long poll promptly', async (t) => {
  const tg = await startTelegramStandIn();
  const polling = call(tg, 'getUpdates', { timeout: 30 });
  await tg.waitForCall('getUpdates');
  const started = Date.now();
  await tg.close();
  const answer = await polling;
  t.same(answer.body, { ok: true, result: [] });
  t.ok(Date.now() - started < 1000, 'close did not wait for the poll timeout');
});

t.test('grammY long polling receives /start and its reply is recorded', async (t) => {
  const tg = await startTelegramStandIn();
  t.teardown(() => tg.close());
  const bot = new Bot(tg.token, { client: { apiRoot: tg.url } });
  bot.command('start', (ctx) => ctx.reply(`linked chat ${ctx.chat.id} for @${ctx.from?.username}`));
  const running = bot.start({ timeout: 5 });
  t.teardown(async () => {
    if (bot.isRunning()) await bot.stop();
  });

  tg.sendStart({ chatId: 777001, username: 'alice_admin' });
  const reply = await tg.waitForMessage((m) => m.chat_id === 777001, 5000);
  t.equal(reply.text, 'linked chat 777001 for @alice_admin');
  t.same(tg.calls.slice(0, 3), ['getMe', 'deleteWebhook', 'getUpdates']);
  await bot.stop();
  await running;
  t.notOk(bot.isRunning());
});

t.test('grammY sees a 429 with retry_after as a GrammyError', async (t) => {
  const tg = await startTelegramStandIn();
  t.teardown(() => tg.close());
  const bot = new Bot(tg.token, { client: { apiRoot: tg.url } });
  tg.failNext(1, {
    error_code: 429,
    description: 'Too Many Requests: retry after 3',
    parameters: { retry_after: 3 },
  });
  const error = await bot.api.sendMessage(1, 'hello').then(
    () => undefined,
    (err: unknown) => err,
  );
  t.ok(error instanceof GrammyError, 'GrammyError');
  t.equal((error as GrammyError).error_code, 429);
  t.equal((error as GrammyError).parameters.retry_after, 3);
  const sent = await bot.api.sendMessage(1, 'hello');
  t.equal(sent.text, 'hello');
  t.equal(tg.sent.length, 1);
});

t.test('webhook mode delivers pushed updates and refuses getUpdates', async (t) => {
  const tg = await startTelegramStandIn();
  const received: { body: Json; secret: string | undefined }[] = [];
  const hook = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString()));
    req.on('end', () => {
      received.push({
        body: JSON.parse(data),
        secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined,
      });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    await tg.close();
    hook.closeAllConnections();
    await new Promise((resolve) => hook.close(resolve));
  });
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/tg`;
  t.equal((await call(tg, 'setWebhook', { url: hookUrl, secret_token: 's3cret' })).body.result, true);
  t.equal((await call(tg, 'getUpdates')).status, 409);
  tg.sendStart({ chatId: 9, username: 'carol' });
  const deadline = Date.now() + 2000;
  while (received.length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  t.match(received[0]?.body, { message: { chat: { id: 9 } } });
  t.equal(received[0]?.secret, 's3cret');
  await call(tg, 'deleteWebhook');
  t.equal((await call(tg, 'getUpdates')).status, 200);
});

t.test('POST /_stand-in/start: the bot gets a /start from that user and chat, as if pressed', async (t) => {
  const tg = await startTelegramStandIn();
  t.teardown(() => tg.close());
  const bot = new Bot(tg.token, { client: { apiRoot: tg.url } });
  bot.command('start', (ctx) => ctx.reply(`linked chat ${ctx.chat.id} for @${ctx.from?.username}`));
  const running = bot.start({ timeout: 5 });
  t.teardown(async () => {
    if (bot.isRunning()) await bot.stop();
  });

  const control = (body: unknown) =>
    fetch(`${tg.url}/_stand-in/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const res = await control({ username: 'Control_User', chatId: 3546223 });
  t.equal(res.status, 200);
  const update = (await res.json()) as Json;
  t.match(update, {
    update_id: Number,
    message: { text: '/start', chat: { id: 3546223 }, from: { username: 'Control_User' } },
  });
  const reply = await tg.waitForMessage((m) => m.chat_id === 3546223, 5000);
  t.equal(reply.text, 'linked chat 3546223 for @Control_User');

  for (const bad of [
    {},
    { username: 'ab', chatId: 1 },
    { username: 'control_user', chatId: '1' },
    { username: 'control_user', chatId: 0 },
  ]) {
    const refused = await control(bad);
    t.equal(refused.status, 400, JSON.stringify(bad));
    t.match(await refused.json(), { ok: false, description: String });
  }
  t.equal(tg.updates.length, 1, 'refused requests deliver nothing');
  await bot.stop();
  await running;
});
