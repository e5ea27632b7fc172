// Development without credentials: the service starts, and every channel's messages land in
// the capped Redis dev outbox (and the log) instead of a provider.
import t from 'tap';
import { eventually } from '@propusk/testkit';
import { DEV_OUTBOX_KEY, readDevOutbox } from '../src/channels/dev-outbox.js';
import { startHarness } from './fixtures/notification.js';

const NO_CREDENTIALS = {
  NODE_ENV: 'development',
  TELEGRAM_BOT_TOKEN: '',
  TWILIO_ACCOUNT_SID: '',
  TWILIO_AUTH_TOKEN: '',
  TWILIO_FROM: '',
  SMTP_URL: '',
  MAIL_FROM: '',
  DEV_OUTBOX_SIZE: '3',
};

t.test('no credentials in development: the dev outbox, newest first, capped', async (t) => {
  const h = await startHarness({ env: NO_CREDENTIALS });
  t.teardown(() => h.close());
  await h.publisher.publish({ channel: 'telegram', to: '42', text: 'Код: 111111', kind: 'registration' });
  await eventually(async () => (await h.redis.llen(DEV_OUTBOX_KEY)) === 1, 10_000);
  await h.publisher.publish({ channel: 'sms', to: '+79001234567', text: 'Код: 222222', kind: 'login' });
  await eventually(async () => (await h.redis.llen(DEV_OUTBOX_KEY)) === 2, 10_000);
  await h.publisher.publish({
    channel: 'email',
    to: 'dev@example.org',
    subject: 'Код',
    text: 'Код: 333333',
    kind: 'verification',
  });
  await eventually(async () => (await h.redis.llen(DEV_OUTBOX_KEY)) === 3, 10_000);
  await h.publisher.publish({ channel: 'sms', to: '+79001234568', text: 'Код: 444444', kind: 'login' });
  await eventually(async () => (await readDevOutbox(h.redis))[0]?.text === 'Код: 444444', 10_000);

  const outbox = await readDevOutbox(h.redis);
  t.same(
    outbox.map((e) => [e.channel, e.to, e.text]),
    [
      ['sms', '+79001234568', 'Код: 444444'],
      ['email', 'dev@example.org', 'Код: 333333'],
      ['sms', '+79001234567', 'Код: 222222'],
    ],
    'the three newest',
  );
  t.equal(outbox[1]?.subject, 'Код');
  t.equal(
    h.telegram.sent.length + h.twilio.messages.length + h.smtp.messages.length,
    0,
    'no provider was asked',
  );
  t.notOk(h.telegram.calls.includes('getUpdates'), 'no bot without a token');
  await eventually(async () => (await h.notifyStreamDepth()) === 0, 10_000);
});
