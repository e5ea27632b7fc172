// The service's settings and message texts: defaults, refusals, the HMAC key rule, Russian plurals.
import t from 'tap';
import { ConfigError, loadConfig } from '@propusk/kit';
import { codeMessage, lifetimePhrase, russianPlural } from '../src/codes/messages.js';
import { startVerification } from '../src/main.js';
import { resolveHmacKey, VERIFICATION_SETTINGS } from '../src/settings.js';

t.test('defaults: documents 000 and 003, and the limits of the brief', async (t) => {
  t.strictSame(
    { ...loadConfig(VERIFICATION_SETTINGS, {}) },
    {
      ADMIN_CODE_TTL_S: 1800,
      V2_CODE_TTL_S: 600,
      CODE_RESEND_S: 60,
      CODE_MAX_ATTEMPTS: 5,
      CODE_SENDS_PER_DESTINATION_PER_HOUR: 10,
      CODE_SENDS_PER_IP_PER_HOUR: 30,
      CODE_CHECK_FAILURES_PER_IP: 10,
      CODE_LOOKUP_FAILURES_PER_PURPOSE: 200,
      CODE_CHECK_WINDOW_S: 900,
      NOTIFY_PUBLISH_TIMEOUT_MS: 3000,
    },
  );
});

t.test('bad values are refused naming the variable; the key is never echoed', async (t) => {
  for (const [env, name] of [
    [{ CODE_MAX_ATTEMPTS: '0' }, 'CODE_MAX_ATTEMPTS'],
    [{ CODE_MAX_ATTEMPTS: '50' }, 'CODE_MAX_ATTEMPTS'],
    [{ V2_CODE_TTL_S: 'ten minutes' }, 'V2_CODE_TTL_S'],
    [{ CODE_HMAC_KEY: 'short-secret' }, 'CODE_HMAC_KEY'],
  ] as const) {
    const err = (() => {
      try {
        loadConfig(VERIFICATION_SETTINGS, env);
      } catch (e) {
        return e;
      }
    })();
    t.match(err, { name: 'ConfigError', variable: name }, name);
    t.notMatch((err as Error).message, 'short-secret');
  }
});

t.test('CODE_HMAC_KEY: required in production, a development default elsewhere', async (t) => {
  const key = 'a-production-code-hmac-key-0123456789';
  t.same(resolveHmacKey(loadConfig(VERIFICATION_SETTINGS, { CODE_HMAC_KEY: key }), 'production'), {
    key,
    development: false,
  });
  t.match(resolveHmacKey(loadConfig(VERIFICATION_SETTINGS, {}), 'development'), { development: true });
  t.throws(() => resolveHmacKey(loadConfig(VERIFICATION_SETTINGS, {}), 'production'), ConfigError);
  // The start stops before anything connects (no NATS at this address would hang otherwise).
  t.throws(() => startVerification({ NODE_ENV: 'production', NATS_URL: 'nats://127.0.0.1:1' }), {
    name: 'ConfigError',
    message: /^configuration: CODE_HMAC_KEY is required in production: make one with `openssl rand -hex 32`/,
  });
});

t.test('Russian plurals of the lifetime', async (t) => {
  const forms = ['минуту', 'минуты', 'минут'] as const;
  const cases: Array<[number, string]> = [
    [1, 'минуту'],
    [2, 'минуты'],
    [4, 'минуты'],
    [5, 'минут'],
    [11, 'минут'],
    [12, 'минут'],
    [14, 'минут'],
    [21, 'минуту'],
    [22, 'минуты'],
    [30, 'минут'],
    [111, 'минут'],
  ];
  for (const [n, word] of cases) t.equal(russianPlural(n, forms), word, `${n}`);
  t.equal(lifetimePhrase(1800), '30 минут');
  t.equal(lifetimePhrase(60), '1 минуту');
  t.equal(lifetimePhrase(90), '90 секунд');
});

t.test('each purpose has its text with the code, and an e-mail subject', async (t) => {
  const at = Date.UTC(2026, 11, 5, 8, 30, 12, 999);
  t.same(codeMessage('admin-registration', '588227', 1800, { at, ip: '203.0.113.9' }), {
    text:
      'Для регистрации в админке выбран пароль: запрос 2026-12-05 08:30:12 UTC с адреса 203.0.113.9. ' +
      'Код подтверждения: 588227. Код действует 30 минут. ' +
      'Если это были не вы, проигнорируйте это сообщение и не вводите код.',
    subject: 'Регистрация в админке',
  });
  t.match(
    codeMessage('admin-registration', '588227', 1800, { at }).text,
    'запрос 2026-12-05 08:30:12 UTC с неизвестного адреса.',
    'a request without an address says so',
  );
  t.same(codeMessage('v2-verification', '012345', 600, { at }), {
    text: 'Код подтверждения: 012345. Никому не сообщайте его.',
    subject: 'Код подтверждения',
  });
  for (const purpose of ['v2-verification', 'v2-login', 'v2-recovery'] as const) {
    const { text } = codeMessage(purpose, '012345', 600, { at, ip: '203.0.113.9' });
    t.match(text, '012345');
    t.ok(text.length <= 70, `${purpose}: one Cyrillic SMS segment (${text.length})`);
  }
});
