import t from 'tap';
import { CORE_SETTINGS, describeConfig, loadConfig, parseRedisUrl } from '../src/index.js';

// REDIS_URL's three forms (README, "Configuration"): what each becomes, and the refusals.

t.test('a single server: the URL as ioredis reads it', async (t) => {
  t.same(parseRedisUrl('redis://127.0.0.1:6379'), { kind: 'single', url: 'redis://127.0.0.1:6379' });
  t.same(parseRedisUrl('rediss://:pw@cache.example.ru:6380/2'), {
    kind: 'single',
    url: 'rediss://:pw@cache.example.ru:6380/2',
  });
});

t.test('a cluster: every seed node, credentials for the nodes', async (t) => {
  t.same(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001,redis-3'), {
    kind: 'cluster',
    nodes: [
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: 'redis-3', port: 6379 },
    ],
  });
  t.same(parseRedisUrl('redis+cluster://app:s%40cret@[::1]:7000/'), {
    kind: 'cluster',
    nodes: [{ host: '::1', port: 7000 }],
    username: 'app',
    password: 's@cret',
  });
});

t.test('Sentinel: the sentinels, the master name, a database', async (t) => {
  t.same(parseRedisUrl('redis+sentinel://s1:26379,s2/mymaster'), {
    kind: 'sentinel',
    sentinels: [
      { host: 's1', port: 26379 },
      { host: 's2', port: 26379 },
    ],
    name: 'mymaster',
    db: 0,
  });
  t.match(parseRedisUrl('redis+sentinel://:pw@s1:26379/mymaster/3'), {
    name: 'mymaster',
    db: 3,
    password: 'pw',
  });
});

t.test('anything else stops the start with a message naming REDIS_URL, never the password', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['http://x', /must use redis, rediss, redis\+cluster or redis\+sentinel, got http/],
    ['not a url', /must be a URL/],
    ['redis+cluster://', /names no host/],
    ['redis+cluster://h1:1,,h2:2', /host:port separated by commas/],
    ['redis+cluster://:hunter2@h1:99999', /host:port separated by commas/],
    ['redis+cluster://h1:7000/1', /takes no path/],
    ['redis+sentinel://:hunter2@s1:26379', /must end with \/<master-name>/],
    ['redis+sentinel://s1:26379/m/x', /not a whole number/],
  ];
  for (const [value, reason] of cases) {
    t.throws(
      () => loadConfig(CORE_SETTINGS, { REDIS_URL: value }),
      { name: 'ConfigError', variable: 'REDIS_URL', message: reason },
      value,
    );
    try {
      loadConfig(CORE_SETTINGS, { REDIS_URL: value });
    } catch (err) {
      t.notMatch((err as Error).message, /hunter2/, `${value}: no password in the message`);
    }
  }
});

t.test('the start-up log shows the servers, not the password', async (t) => {
  for (const value of [
    'redis+cluster://app:hunter2@h1:7000,h2:7001',
    'redis://:hunter2@h1:6379',
    'redis+sentinel://:hunter2@s1/m',
  ]) {
    const described = describeConfig(CORE_SETTINGS, loadConfig(CORE_SETTINGS, { REDIS_URL: value }));
    t.notMatch(String(described.REDIS_URL), /hunter2/, value);
    t.match(String(described.REDIS_URL), /h1|s1/, value);
  }
});
