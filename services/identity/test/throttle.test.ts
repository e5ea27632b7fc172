// Login throttling, the domain: counters per account and per IP with a fake store and clock.
import t from 'tap';
import { createLoginThrottle } from '../src/throttle/service.js';
import { accountCounterKey, ipBucket, ipCounterKey } from '../src/throttle/keys.js';
import { fakeClock, memoryThrottleStore } from './fixtures/fakes.js';

function setup(limits = { perAccount: 3, perIp: 5, windowS: 60 }) {
  const clock = fakeClock();
  const store = memoryThrottleStore(clock);
  return { clock, store, throttle: createLoginThrottle({ store, limits }) };
}

t.test('each attempt counts on the account and the IP until it succeeds', async (t) => {
  const { store, throttle } = setup();
  await throttle.begin({ login: 'username:alice', ip: '192.0.2.1' });
  await throttle.begin({ login: 'username:alice', ip: '192.0.2.1' });
  t.equal(store.count(accountCounterKey('username:alice')), 2);
  t.equal(store.count(ipCounterKey('192.0.2.1')), 2);
  const ok = await throttle.begin({ login: 'username:alice', ip: '192.0.2.1' });
  await ok.succeeded();
  t.equal(store.count(accountCounterKey('username:alice')), 0, 'a success clears the account');
  t.equal(store.count(ipCounterKey('192.0.2.1')), 2, 'and is not a failure of the IP');
});

t.test('over the account limit: too_many_attempts with the seconds left in the window', async (t) => {
  const { clock, throttle } = setup();
  for (let i = 0; i < 3; i++) {
    await throttle.begin({ login: 'username:alice', ip: `192.0.2.${i}` });
    clock.advance(10_000);
  }
  // The window opened at the first failure, 30 s ago: 30 s remain.
  await t.rejects(throttle.begin({ login: 'username:alice', ip: '198.51.100.1' }), {
    name: 'PropuskError',
    code: 'too_many_attempts',
    status: 429,
    details: { retryAfter: 30 },
  });
  clock.advance(29_500);
  await t.rejects(
    throttle.begin({ login: 'username:alice' }),
    { code: 'too_many_attempts', details: { retryAfter: 1 } },
    'rounded up',
  );
  clock.advance(500);
  const attempt = await throttle.begin({ login: 'username:alice' });
  t.ok(attempt, 'the window has passed');
});

t.test('a refused attempt changes no counter', async (t) => {
  const { store, throttle } = setup({ perAccount: 1, perIp: 5, windowS: 60 });
  await throttle.begin({ login: 'username:bob', ip: '192.0.2.9' });
  await t.rejects(throttle.begin({ login: 'username:bob', ip: '192.0.2.9' }), { code: 'too_many_attempts' });
  t.equal(store.count(ipCounterKey('192.0.2.9')), 1, 'the refused attempt did not count on the IP');
});

t.test('the IP limit holds across login names', async (t) => {
  const { throttle } = setup();
  for (let i = 0; i < 5; i++) await throttle.begin({ login: `username:user${i}`, ip: '2001:db8:1:2::7' });
  await t.rejects(
    throttle.begin({ login: 'username:new', ip: '2001:db8:1:2:ffff::1' }),
    {
      code: 'too_many_attempts',
    },
    'another address of the same /64',
  );
  t.ok(
    await throttle.begin({ login: 'username:new', ip: '2001:db8:1:3::1' }),
    'another /64 is another client',
  );
  t.ok(
    await throttle.begin({ login: 'username:new2' }),
    'callers without an IP are throttled per account only',
  );
});

t.test('an abandoned attempt is given back on both counters', async (t) => {
  const { store, throttle } = setup();
  const attempt = await throttle.begin({ login: 'username:carol', ip: '192.0.2.3' });
  await attempt.abandoned();
  t.equal(store.count(accountCounterKey('username:carol')), 0);
  t.equal(store.count(ipCounterKey('192.0.2.3')), 0);
});

t.test('a store that fails refuses the login: unavailable, never a pass', async (t) => {
  const { store, throttle } = setup();
  const attempt = await throttle.begin({ login: 'username:dave', ip: '192.0.2.4' });
  store.failNext = true;
  await t.rejects(throttle.begin({ login: 'username:dave', ip: '192.0.2.4' }), {
    name: 'PropuskError',
    code: 'unavailable',
    status: 503,
  });
  await t.rejects(attempt.succeeded(), { code: 'unavailable' });
  await t.rejects(attempt.abandoned(), { code: 'unavailable' });
});

t.test('counter keys: login names hashed, IPv4-mapped IPv6 as IPv4, IPv6 per /64', async (t) => {
  t.match(accountCounterKey('email:someone@example.org'), /^throttle:login:account:[A-Za-z0-9_-]{43}$/);
  t.notMatch(accountCounterKey('email:someone@example.org'), /someone/);
  t.not(accountCounterKey('username:a'), accountCounterKey('email:a'));
  t.equal(ipBucket('192.0.2.1'), '192.0.2.1');
  t.equal(ipBucket('::ffff:192.0.2.1'), '192.0.2.1');
  t.equal(ipBucket('2001:db8::1'), '2001:db8:0:0::/64');
  t.equal(ipBucket('2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd'), '2001:db8:0:1::/64');
  t.equal(ipBucket('2001:db8:0:1::ffff'), '2001:db8:0:1::/64');
  t.equal(ipBucket('fe80::1%eth0'), 'fe80:0:0:0::/64');
  t.equal(ipBucket('::1'), '0:0:0:0::/64');
  t.equal(ipBucket('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  t.equal(ipCounterKey('192.0.2.1'), 'throttle:login:ip:192.0.2.1');
});
