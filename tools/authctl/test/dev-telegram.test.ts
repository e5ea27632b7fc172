import t from 'tap';
import { execFile } from 'node:child_process';
import { startTelegramStandIn } from '@propusk/stand-ins';

const ROOT = new URL('../../..', import.meta.url).pathname;

/**
 * The CLI as `npm run authctl` starts it, with the environment of a development machine. Not
 * spawnSync: the stand-in answers from this very process, whose event loop must keep running.
 */
function authctl(env: Record<string, string>, ...args: string[]) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(
      process.execPath,
      ['scripts/authctl.mjs', ...args],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: 'development', ...env }, encoding: 'utf8' },
      (error, out, err) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out, err }),
    );
  });
}

t.test('dev telegram-start: the stand-in gives the bot a /start from that user and chat', async (t) => {
  const tg = await startTelegramStandIn();
  t.teardown(() => tg.close());
  const r = await authctl({ TELEGRAM_API_ROOT: tg.url }, 'dev', 'telegram-start', '@Some_Staff', '3546223');
  t.equal(r.code, 0, r.err);
  t.match(
    r.out,
    `the Telegram stand-in at ${tg.url} now holds /start from @some_staff (chat 3546223) as update`,
  );

  // What the bot sees on its next long poll: a /start command from that user in that chat.
  const polled = await fetch(`${tg.url}/bot${tg.token}/getUpdates`, { method: 'POST' });
  const { result } = (await polled.json()) as { result: Array<{ message: Record<string, unknown> }> };
  t.equal(result.length, 1);
  t.match(result[0]!.message, {
    text: '/start',
    entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    chat: { id: 3546223, type: 'private' },
    from: { username: 'some_staff', is_bot: false },
  });
});

t.test('dev telegram-start: bad arguments exit 2; no stand-in there exits 1 and says so', async (t) => {
  for (const args of [
    [],
    ['ab', '1'],
    ['some_staff'],
    ['some_staff', 'x1'],
    ['some_staff', '0'],
    ['some_staff', '1', 'extra'],
  ]) {
    const r = await authctl({ TELEGRAM_API_ROOT: 'http://127.0.0.1:9' }, 'dev', 'telegram-start', ...args);
    t.equal(r.code, 2, args.join(' ') || '(nothing)');
    t.match(r.err, /usage: npm run authctl -- dev telegram-start <username> <chat-id>/);
  }
  const nobody = await authctl(
    { TELEGRAM_API_ROOT: 'http://127.0.0.1:9' },
    'dev',
    'telegram-start',
    'some_staff',
    '42',
  );
  t.equal(nobody.code, 1);
  t.match(nobody.err, /no Telegram stand-in answers at http:\/\/127\.0\.0\.1:9 .*npm start -- --stand-ins/);

  const prod = await authctl(
    { TELEGRAM_API_ROOT: 'http://127.0.0.1:9', NODE_ENV: 'production' },
    'dev',
    'telegram-start',
    'some_staff',
    '42',
  );
  t.equal(prod.code, 2);
  t.match(prod.err, /dev commands are for development/);
});

t.test('dev telegram-start: something else at TELEGRAM_API_ROOT is not taken for the stand-in', async (t) => {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => res.writeHead(404).end('not here'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  const r = await authctl(
    { TELEGRAM_API_ROOT: `http://127.0.0.1:${port}` },
    'dev',
    'telegram-start',
    'some_staff',
    '42',
  );
  t.equal(r.code, 1);
  t.match(r.err, /answers, but it is not the Telegram stand-in \(POST \/_stand-in\/start: 404\)/);
});
