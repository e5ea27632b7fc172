// Which channels talk to their providers: credentials, the dev outbox outside production, and
// a clear stop in production when credentials are missing.
import t from 'tap';
import { ConfigError, loadConfig } from '@propusk/kit';
import { planChannels } from '../src/channels/setup.js';
import { startNotification } from '../src/main.js';
import { checkNotificationSettings, SERVICE_SETTINGS } from '../src/settings.js';

const CREDENTIALS = {
  TELEGRAM_BOT_TOKEN: '7000000001:AAexampleexampleexampleexampleexam',
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'token',
  TWILIO_FROM: '+15005550006',
  SMTP_URL: 'smtp://127.0.0.1:2525',
  MAIL_FROM: 'Propusk <no-reply@propusk.test>',
};

const settings = (env: Record<string, string>) => loadConfig(SERVICE_SETTINGS, env);

t.test('defaults of the service settings', async (t) => {
  t.match(settings({}), {
    NOTIFY_MAX_DELIVERIES: 8,
    NOTIFY_ACK_WAIT_MS: 30_000,
    NOTIFY_DEDUP_TTL_S: 86_400,
    DEV_OUTBOX_SIZE: 100,
    TELEGRAM_API_ROOT: 'https://api.telegram.org',
    TWILIO_API_BASE: 'https://api.twilio.com',
  });
  t.throws(() => settings({ NOTIFY_MAX_DELIVERIES: '0' }), /NOTIFY_MAX_DELIVERIES must be between 1 and 100/);
  t.throws(
    () => checkNotificationSettings(settings({ NOTIFY_SEND_TIMEOUT_MS: '30000' })),
    /NOTIFY_SEND_TIMEOUT_MS must be shorter than NOTIFY_ACK_WAIT_MS/,
  );
  t.throws(
    () => settings({ TELEGRAM_WEBHOOK_SECRET: 'has spaces' }),
    /TELEGRAM_WEBHOOK_SECRET has an invalid format$/,
  );
});

t.test('every credential set: every channel talks to its provider, in any mode', async (t) => {
  for (const mode of ['development', 'test', 'production']) {
    t.same(planChannels(settings(CREDENTIALS), mode), {
      telegram: 'provider',
      sms: 'provider',
      email: 'provider',
    });
  }
});

t.test('no credentials outside production: the dev outbox', async (t) => {
  t.same(planChannels(settings({}), 'development'), {
    telegram: 'dev-outbox',
    sms: 'dev-outbox',
    email: 'dev-outbox',
  });
  const { SMTP_URL: _s, MAIL_FROM: _m, ...noMail } = CREDENTIALS;
  t.same(planChannels(settings(noMail), 'test'), {
    telegram: 'provider',
    sms: 'provider',
    email: 'dev-outbox',
  });
});

t.test('missing credentials in production stop the start, naming the variables', async (t) => {
  const { TWILIO_ACCOUNT_SID: _a, TWILIO_AUTH_TOKEN: _b, TWILIO_FROM: _c, ...noSms } = CREDENTIALS;
  const err = (() => {
    try {
      planChannels(settings(noSms), 'production');
    } catch (e) {
      return e;
    }
  })();
  t.type(err, ConfigError);
  t.match(
    (err as Error).message,
    /^configuration: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM must be set in production/,
  );

  await t.rejects(
    startNotification({ NODE_ENV: 'production', NATS_URL: 'nats://127.0.0.1:1' }),
    {
      name: 'ConfigError',
      message: /TELEGRAM_BOT_TOKEN, TWILIO_ACCOUNT_SID, .*SMTP_URL, MAIL_FROM must be set in production/,
    },
    'before anything connects (the NATS url is unreachable)',
  );
});

t.test('half a channel is a mistake in every mode', async (t) => {
  t.throws(() => planChannels(settings({ SMTP_URL: 'smtp://127.0.0.1:25' }), 'development'), {
    name: 'ConfigError',
    message: /MAIL_FROM must be set too: channel email is configured only in part/,
  });
});
