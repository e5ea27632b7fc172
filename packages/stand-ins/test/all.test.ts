import t from 'tap';
import { startAllStandIns, waitFor, Recorder } from '../src/index.js';

t.test('startAllStandIns starts six stand-ins and an env pointing at them', async (t) => {
  const all = await startAllStandIns();
  let closed = false;
  t.teardown(() => (closed ? undefined : all.closeAll()));
  const keys = [
    'TELEGRAM_BOT_TOKEN',
    'TELEGRAM_API_ROOT',
    'TWILIO_ACCOUNT_SID',
    'TWILIO_AUTH_TOKEN',
    'TWILIO_FROM',
    'TWILIO_API_BASE',
    'SMTP_URL',
    'MAIL_FROM',
    'VK_CLIENT_ID',
    'VK_ID_BASE_URL',
    'YANDEX_CLIENT_ID',
    'YANDEX_CLIENT_SECRET',
    'YANDEX_OAUTH_BASE_URL',
    'YANDEX_LOGIN_BASE_URL',
    'MAILRU_CLIENT_ID',
    'MAILRU_CLIENT_SECRET',
    'MAILRU_OAUTH_BASE_URL',
  ];
  t.same(Object.keys(all.env).sort(), [...keys].sort());
  for (const [key, value] of Object.entries(all.env))
    t.ok(typeof value === 'string' && value.length > 0, key);
  for (const key of keys.filter((k) => /_(ROOT|BASE|BASE_URL)$/.test(k))) {
    const value = all.env[key as keyof typeof all.env];
    t.match(value, /^http:\/\/127\.0\.0\.1:\d+$/, `${key} is local without trailing slash`);
  }
  t.match(all.env.SMTP_URL, /^smtp:\/\/127\.0\.0\.1:\d+$/);

  const me = await fetch(`${all.env.TELEGRAM_API_ROOT}/bot${all.env.TELEGRAM_BOT_TOKEN}/getMe`);
  t.equal(me.status, 200);
  const info = await fetch(`${all.env.YANDEX_LOGIN_BASE_URL}/info`, {
    headers: { authorization: `OAuth ${all.yandex.issueToken().accessToken}` },
  });
  t.equal(info.status, 200);

  await all.closeAll();
  closed = true;
  await t.rejects(fetch(`${all.env.VK_ID_BASE_URL}/authorize`), 'listeners are gone after closeAll');
});

t.test('waitFor polls until a value appears or times out', async (t) => {
  let value: string | undefined;
  setTimeout(() => (value = 'ready'), 30);
  t.equal(await waitFor(() => value, 1000, 'value'), 'ready');
  await t.rejects(
    waitFor(() => false, 50, 'never'),
    /never not met within 50 ms/,
  );
});

t.test('Recorder resolves waiters for past and future items', async (t) => {
  const log = new Recorder<number>();
  log.push(1);
  t.equal(await log.waitFor((n) => n === 1), 1);
  const later = log.waitFor((n) => n > 5, 1000);
  log.push(3);
  log.push(7);
  t.equal(await later, 7);
});
