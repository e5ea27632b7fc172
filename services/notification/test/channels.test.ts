// Each channel against its stand-in: what a provider answer means for the delivery loop
// (retry, retry after, or give up), through the real client libraries.
import t from 'tap';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startSmtpSink, startTelegramStandIn, startTwilioStandIn } from '@propusk/stand-ins';
import { ChannelError, createChannelRegistry } from '../src/channels/channel.js';
import { createEmailChannel } from '../src/channels/email.js';
import { createSmsChannel } from '../src/channels/sms.js';
import { createTelegramChannel } from '../src/channels/telegram.js';
import { notification } from './fixtures/fakes.js';

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function failure(p: Promise<void>): Promise<ChannelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ChannelError)) throw new Error(`expected a ChannelError, got ${String(err)}`);
  return err;
}

t.test(
  'telegram: 429 retry_after in ms, 5xx retryable, 400/403 permanent, unreachable retryable',
  async (t) => {
    const tg = await startTelegramStandIn();
    t.teardown(() => tg.close());
    const channel = createTelegramChannel({ token: tg.token, apiRoot: tg.apiRoot, timeoutMs: 5000 });
    const n = notification({ to: '42' });

    await channel.send(n);
    t.match(tg.sent.at(-1), { chat_id: 42, text: n.text });

    tg.failNext(1, {
      error_code: 429,
      description: 'Too Many Requests: retry after 3',
      parameters: { retry_after: 3 },
    });
    t.match(await failure(channel.send(n)), { retryable: true, retryAfterMs: 3000, message: /telegram 429/ });
    tg.failNext(1, { error_code: 500, description: 'Internal Server Error' });
    t.match(await failure(channel.send(n)), { retryable: true, retryAfterMs: undefined });
    tg.blockChat(42);
    t.match(await failure(channel.send(n)), {
      retryable: false,
      message: 'telegram 403: Forbidden: bot was blocked by the user',
    });
    tg.failNext(1, { error_code: 400, description: 'Bad Request: chat not found' });
    t.match(await failure(channel.send(notification({ to: '43' }))), { retryable: false });

    const wrongToken = createTelegramChannel({ token: '1:wrong', apiRoot: tg.apiRoot, timeoutMs: 5000 });
    t.match(
      await failure(wrongToken.send(n)),
      { retryable: true, message: /telegram 401/ },
      'a deployment error is retried',
    );

    const down = createTelegramChannel({
      token: tg.token,
      apiRoot: `http://127.0.0.1:${await closedPort()}`,
      timeoutMs: 2000,
    });
    const unreachable = await failure(down.send(n));
    t.match(unreachable, { retryable: true, message: /telegram unreachable/ });
    t.notMatch(unreachable.message, tg.token, 'the token stays out of the error');
  },
);

t.test(
  'sms: 500/429 retryable, 21211 permanent, wrong credentials retryable, unreachable retryable',
  async (t) => {
    const tw = await startTwilioStandIn();
    t.teardown(() => tw.close());
    const opts = {
      accountSid: tw.accountSid,
      authToken: tw.authToken,
      from: tw.from,
      apiBase: tw.url,
      timeoutMs: 5000,
    };
    const channel = createSmsChannel(opts);
    const n = notification({ channel: 'sms', to: '+79001234567' });

    await channel.send(n);
    t.match(tw.messages.at(-1), { to: '+79001234567', from: tw.from, body: n.text });

    tw.failNext(1, 500);
    t.match(await failure(channel.send(n)), { retryable: true, message: /twilio 500 \(20500\)/ });
    tw.failNext(1, 429);
    t.match(await failure(channel.send(n)), { retryable: true });
    t.match(await failure(channel.send({ ...n, to: '89001234567' })), {
      retryable: false,
      message: /twilio 400 \(21211\)/,
    });
    const wrong = createSmsChannel({ ...opts, authToken: 'wrong' });
    t.match(await failure(wrong.send(n)), { retryable: true, message: /twilio 401/ });
    const down = createSmsChannel({ ...opts, apiBase: `http://127.0.0.1:${await closedPort()}` });
    t.match(await failure(down.send(n)), { retryable: true, message: /twilio unreachable/ });
  },
);

t.test('email: 4xx retryable, 5xx permanent, refused connection retryable', async (t) => {
  const sink = await startSmtpSink();
  const channel = createEmailChannel({
    url: sink.url,
    from: 'Propusk <no-reply@propusk.test>',
    timeoutMs: 5000,
    maxConnections: 1,
  });
  t.teardown(async () => {
    await channel.close?.();
    await sink.close();
  });
  const n = notification({ channel: 'email', to: 'a@example.org', subject: 'Тема' });

  await channel.send(n);
  t.match(sink.messages.at(-1), {
    subject: 'Тема',
    from: 'no-reply@propusk.test',
    envelopeTo: ['a@example.org'],
  });

  sink.failNext(1, { code: 451 });
  t.match(await failure(channel.send(n)), { retryable: true, message: /smtp 451/ });
  sink.failNext(1, { code: 554 });
  t.match(await failure(channel.send(n)), { retryable: false, message: /smtp 554/ });

  const down = createEmailChannel({
    url: `smtp://127.0.0.1:${await closedPort()}`,
    from: 'x@propusk.test',
    timeoutMs: 2000,
    maxConnections: 1,
  });
  t.teardown(() => down.close?.());
  t.match(await failure(down.send(n)), { retryable: true, message: /ECONNECTION|ESOCKET|ECONNREFUSED/ });
});

t.test('the registry finds channels by id', async (t) => {
  const telegram = { id: 'telegram', provider: 'x', send: async () => undefined } as const;
  const registry = createChannelRegistry([telegram]);
  t.equal(registry.get('telegram'), telegram);
  t.throws(() => registry.get('sms'), /no channel sms/);
  t.same(registry.all(), [telegram]);
});
