import t from 'tap';
import { loadConfig, describeConfig, CORE_SETTINGS, CHANNEL_SETTINGS, ConfigError } from '../src/index.js';

t.test('defaults come from the DESIGN table', async (t) => {
  const c = loadConfig(CORE_SETTINGS, {});
  t.equal(c.GATEWAY_PORT, 8080);
  t.equal(c.DATABASE_URL, 'postgresql://postgres@127.0.0.1:5432/propusk');
  t.equal(c.REDIS_URL, 'redis://127.0.0.1:6379');
  t.same(c.NATS_URL, ['nats://127.0.0.1:4222']);
  t.equal(c.PUBLIC_BASE_URL, 'http://127.0.0.1:8080');
  t.equal(loadConfig(CORE_SETTINGS, { GATEWAY_PORT: '9000' }).PUBLIC_BASE_URL, 'http://127.0.0.1:9000');
  t.equal(loadConfig(CHANNEL_SETTINGS, {}).TELEGRAM_API_ROOT, 'https://api.telegram.org');
});

t.test('the config is frozen', async (t) => {
  const c = loadConfig(CORE_SETTINGS, {}) as Record<string, unknown>;
  t.ok(Object.isFrozen(c));
  t.throws(() => {
    c.GATEWAY_PORT = 1;
  });
});

t.test('a bad value stops the start with a message naming the variable', async (t) => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ GATEWAY_PORT: 'eighty' }, 'GATEWAY_PORT', /whole number/],
    [{ GATEWAY_PORT: '70000' }, 'GATEWAY_PORT', /between 0 and 65535/],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL', /redis, rediss, redis\+cluster or redis\+sentinel/],
    [{ NATS_URL: 'not a url' }, 'NATS_URL', /must be a URL/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of/],
    [{ PROPUSK_NAMESPACE: 'a.b' }, 'PROPUSK_NAMESPACE', /invalid format/],
  ];
  for (const [env, variable, reason] of cases) {
    t.throws(
      () => loadConfig(CORE_SETTINGS, env),
      { name: 'ConfigError', variable, message: reason },
      variable,
    );
  }
  t.type(new ConfigError('X', 'y'), Error);
});

t.test('secrets are never described, even in an error', async (t) => {
  const c = loadConfig(CHANNEL_SETTINGS, {
    TELEGRAM_BOT_TOKEN: '123:abc_DEF',
    SMTP_URL: 'smtp://u:hunter2@mail:25',
  });
  const d = describeConfig(CHANNEL_SETTINGS, c);
  t.equal(d.TELEGRAM_BOT_TOKEN, '[set]');
  t.equal(d.SMTP_URL, '[set]');
  t.notMatch(JSON.stringify(d), /hunter2|abc_DEF/);
  const err = (() => {
    try {
      loadConfig(CHANNEL_SETTINGS, { TELEGRAM_BOT_TOKEN: 'not-a-token-secret' });
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  t.match(err?.message, /TELEGRAM_BOT_TOKEN has an invalid format/);
  t.notMatch(err?.message, /not-a-token-secret/);
});
