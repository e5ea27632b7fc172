// Webhook mode (TELEGRAM_WEBHOOK_URL set): the service registers the webhook with its secret,
// the Telegram stand-in delivers updates to POST /telegram/webhook, and requests without the
// right X-Telegram-Bot-Api-Secret-Token are refused with 401.
import t, { type Test } from 'tap';
import { TELEGRAM_WEBHOOK_PATH } from '@propusk/contracts';
import { eventually, freePort, startSigningRelay } from '@propusk/testkit';
import { BOT_MESSAGES } from '../src/bot/messages.js';
import { webhookSecret } from '../src/bot/webhook.js';
import { startFakeIdentity, startHarness } from './fixtures/notification.js';

/** Signs for the relay below, as the gateway does; the service refuses what nothing signed. */
const INTERNAL_SECRET = 'webhook-test-internal-secret-0123456789';

async function webhookHarness(t: Test, secret?: string) {
  const port = await freePort();
  // Telegram calls the public URL: the gateway's, which signs and relays to notification.
  const gateway = await startSigningRelay(`http://127.0.0.1:${port}`, INTERNAL_SECRET);
  const url = `${gateway.url}${TELEGRAM_WEBHOOK_PATH}`;
  const h = await startHarness({
    env: {
      NOTIFICATION_PORT: String(port),
      TELEGRAM_WEBHOOK_URL: url,
      INTERNAL_SECRET,
      ...(secret ? { TELEGRAM_WEBHOOK_SECRET: secret } : {}),
    },
  });
  const identity = await startFakeIdentity(h.ns, ['I0HuKc']);
  t.teardown(async () => {
    await identity.close();
    await h.close();
    await gateway.close();
  });
  await eventually(async () => h.telegram.webhook !== null, 5000);
  return { h, identity, url };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const startUpdate = (updateId: number, chatId: number, username: string) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: Math.floor(Date.now() / 1000),
    from: { id: chatId, is_bot: false, first_name: username, username },
    chat: { id: chatId, type: 'private', first_name: username, username },
    text: '/start',
    entities: [{ offset: 0, length: 6, type: 'bot_command' }],
  },
});

t.test('a configured secret: registered, checked, and /start answered through the webhook', async (t) => {
  const secret = 'test-secret_0123456789';
  const { h, identity, url } = await webhookHarness(t, secret);
  t.same(h.telegram.webhook, { url, secret_token: secret }, 'setWebhook with the url and the secret');
  t.notOk(h.telegram.calls.includes('getUpdates'), 'no long polling in webhook mode');

  h.telegram.sendStart({ chatId: 3546223, username: 'I0HuKc' });
  const reply = await h.telegram.waitForMessage((m) => m.chat_id === 3546223, 10_000);
  t.equal(reply.text, BOT_MESSAGES.allowlisted);
  t.same(identity.calls, [{ username: 'I0HuKc', chatId: 3546223 }]);
  await eventually(async () => h.telegram.webhookDeliveries.length === 1, 5000);
  t.equal(h.telegram.webhookDeliveries[0]?.status, 200, 'Telegram got 200');

  const refusals: Record<string, string>[] = [{}, { 'x-telegram-bot-api-secret-token': 'wrong' }];
  for (const headers of refusals) {
    const res = await post(url, startUpdate(900001, 6001, 'I0HuKc'), headers);
    t.equal(res.status, 401, `refused with ${JSON.stringify(headers)}`);
    t.same(await res.json(), { message: 'unauthorized' });
  }
  t.equal(identity.calls.length, 1, 'refused updates never reach the bot');

  const ok = await post(url, startUpdate(900002, 6002, 'stranger'), {
    'x-telegram-bot-api-secret-token': secret,
  });
  t.equal(ok.status, 200);
  t.equal(
    (await h.telegram.waitForMessage((m) => m.chat_id === 6002, 10_000)).text,
    BOT_MESSAGES.notAllowlisted,
  );
  t.equal(h.telegram.sent.filter((m) => m.chat_id === 6001).length, 0);
});

t.test('no configured secret: one derived from the bot token, the same on every replica', async (t) => {
  const { h } = await webhookHarness(t);
  const derived = webhookSecret(undefined, h.telegram.token);
  t.equal(h.telegram.webhook?.secret_token, derived);
  t.match(derived, /^[A-Za-z0-9_-]{43}$/, 'a secret_token Telegram accepts');
  t.not(derived, h.telegram.token);
  h.telegram.sendStart({ chatId: 7001, username: 'stranger' });
  t.equal(
    (await h.telegram.waitForMessage((m) => m.chat_id === 7001, 10_000)).text,
    BOT_MESSAGES.notAllowlisted,
  );
});
