// Login throttling, the domain: budgets per account and address, per address across accounts,
// and progressive delays past the account-wide threshold, with a fake store and clock.
import t from 'tap';
import { createLoginThrottle, type ThrottleLimits } from '../src/throttle/service.js';
import {
  accountCounterKey,
  delayKey,
  ipBucket,
  ipCounterKey,
  knownAddressesKey,
  pairCounterKey,
} from '../src/throttle/keys.js';
import { fakeClock, memoryThrottleStore } from './fixtures/fakes.js';

function setup(limits: ThrottleLimits = { perAccount: 3, perIp: 5, windowS: 60 }) {
  const clock = fakeClock();
  const store = memoryThrottleStore(clock);
  return { clock, store, throttle: createLoginThrottle({ store, limits }) };
}

const ALICE = 'account:alice';

t.test('each attempt counts on the account from the address, the account and the address', async (t) => {
  const { store, throttle } = setup();
  await throttle.begin({ account: ALICE, ip: '192.0.2.1' });
  await throttle.begin({ account: ALICE, ip: '192.0.2.1' });
  t.equal(store.count(pairCounterKey(ALICE, '192.0.2.1')), 2);
  t.equal(store.count(accountCounterKey(ALICE)), 2);
  t.equal(store.count(ipCounterKey('192.0.2.1')), 2);
  const ok = await throttle.begin({ account: ALICE, ip: '192.0.2.1' });
  await ok.succeeded();
  t.equal(store.count(pairCounterKey(ALICE, '192.0.2.1')), 0, "a success forgives the address's failures");
  t.equal(store.count(accountCounterKey(ALICE)), 2, 'is not a failure of the account');
  t.equal(store.count(ipCounterKey('192.0.2.1')), 2, 'nor of the IP');
  t.same(store.knownOf(knownAddressesKey(ALICE)), ['192.0.2.1'], 'and the address is known now');
});

t.test('over the budget of one address: that address waits out the window, others sign in', async (t) => {
  const { clock, throttle } = setup();
  for (let i = 0; i < 3; i++) {
    await throttle.begin({ account: ALICE, ip: '203.0.113.66' });
    clock.advance(10_000);
  }
  // The window opened at the first failure, 30 s ago: 30 s remain.
  await t.rejects(throttle.begin({ account: ALICE, ip: '203.0.113.66' }), {
    name: 'PropuskError',
    code: 'too_many_attempts',
    status: 429,
    details: { retryAfter: 30 },
  });
  const owner = await throttle.begin({ account: ALICE, ip: '198.51.100.1' });
  t.ok(owner, 'the owner, from another address, is not locked out');
  clock.advance(29_500);
  await t.rejects(
    throttle.begin({ account: ALICE, ip: '203.0.113.66' }),
    { code: 'too_many_attempts', details: { retryAfter: 1 } },
    'rounded up',
  );
  clock.advance(500);
  t.ok(await throttle.begin({ account: ALICE, ip: '203.0.113.66' }), 'the window has passed');
});

t.test('a refused attempt changes no counter', async (t) => {
  const { store, throttle } = setup({ perAccount: 1, perIp: 5, windowS: 60 });
  await throttle.begin({ account: 'account:bob', ip: '192.0.2.9' });
  await t.rejects(throttle.begin({ account: 'account:bob', ip: '192.0.2.9' }), { code: 'too_many_attempts' });
  t.equal(store.count(ipCounterKey('192.0.2.9')), 1, 'the refused attempt did not count on the IP');
  t.equal(store.count(accountCounterKey('account:bob')), 1, 'nor on the account');
});

t.test('the IP limit holds across accounts', async (t) => {
  const { throttle } = setup();
  for (let i = 0; i < 5; i++) await throttle.begin({ account: `username:user${i}`, ip: '2001:db8:1:2::7' });
  await t.rejects(
    throttle.begin({ account: 'username:new', ip: '2001:db8:1:2:ffff::1' }),
    { code: 'too_many_attempts' },
    'another address of the same /64',
  );
  t.ok(
    await throttle.begin({ account: 'username:new', ip: '2001:db8:1:3::1' }),
    'another /64 is another client',
  );
  t.ok(await throttle.begin({ account: 'username:new2' }), 'callers without an IP: per account only');
});

t.test('past the account-wide threshold, failures delay their address progressively', async (t) => {
  const { clock, store, throttle } = setup({
    perAccount: 10,
    perIp: 1000,
    windowS: 3600,
    delayAfter: 4,
    maxDelayS: 8,
  });
  // Four addresses fail once each: the account reaches its threshold, nobody waits yet.
  for (let i = 1; i <= 4; i++) {
    const a = await throttle.begin({ account: ALICE, ip: `203.0.113.${i}` });
    await a.failed();
  }
  t.equal(store.count(accountCounterKey(ALICE)), 4);
  t.equal(store.count(delayKey(ALICE, '203.0.113.4')), 1, 'the fourth failure already delays its address');

  const attacker = '203.0.113.1';
  // Its first failure (above) was the first of four; each further one doubles its wait.
  const expected = [2, 4, 8, 8];
  for (const seconds of expected) {
    clock.advance(60_000);
    const a = await throttle.begin({ account: ALICE, ip: attacker });
    await a.failed();
    await t.rejects(
      throttle.begin({ account: ALICE, ip: attacker }),
      { code: 'too_many_attempts', details: { retryAfter: seconds } },
      `then ${seconds} s`,
    );
  }
  const fresh = await throttle.begin({ account: ALICE, ip: '198.51.100.7' });
  t.ok(fresh, "an address's first attempt is never delayed");
  await fresh.failed();
  await t.rejects(throttle.begin({ account: ALICE, ip: '198.51.100.7' }), {
    code: 'too_many_attempts',
    details: { retryAfter: 1 },
  });
});

t.test('an address the account signed in from is never delayed', async (t) => {
  const { throttle } = setup({ perAccount: 5, perIp: 1000, windowS: 3600, delayAfter: 1 });
  const owner = '198.51.100.20';
  await (await throttle.begin({ account: ALICE, ip: owner })).succeeded();
  for (let i = 0; i < 3; i++) {
    const a = await throttle.begin({ account: ALICE, ip: `203.0.113.${i}` });
    await a.failed();
  }
  const typo = await throttle.begin({ account: ALICE, ip: owner });
  await typo.failed();
  const again = await throttle.begin({ account: ALICE, ip: owner });
  t.ok(again, 'the owner retries at once after a typo, however the account is attacked');
  await again.succeeded();
});

t.test('an abandoned attempt is given back on every counter', async (t) => {
  const { store, throttle } = setup();
  const attempt = await throttle.begin({ account: 'account:carol', ip: '192.0.2.3' });
  await attempt.abandoned();
  t.equal(store.count(pairCounterKey('account:carol', '192.0.2.3')), 0);
  t.equal(store.count(accountCounterKey('account:carol')), 0);
  t.equal(store.count(ipCounterKey('192.0.2.3')), 0);
});

t.test('a store that fails refuses the login: unavailable, never a pass', async (t) => {
  const { store, throttle } = setup();
  const attempt = await throttle.begin({ account: 'account:dave', ip: '192.0.2.4' });
  store.failNext = true;
  await t.rejects(throttle.begin({ account: 'account:dave', ip: '192.0.2.4' }), {
    name: 'PropuskError',
    code: 'unavailable',
    status: 503,
  });
  await t.rejects(attempt.succeeded(), { code: 'unavailable' });
  await t.rejects(attempt.failed(), { code: 'unavailable' });
  await t.rejects(attempt.abandoned(), { code: 'unavailable' });
});

t.test('counter keys: accounts hashed under one tag, IPv4-mapped IPv6 as IPv4, IPv6 per /64', async (t) => {
  const key = accountCounterKey('email:someone@example.org');
  t.match(key, /^throttle:login:\{[A-Za-z0-9_-]{43}\}:failures$/);
  t.notMatch(key, /someone/);
  const tag = /\{.*\}/.exec(key)?.[0];
  for (const other of [
    pairCounterKey('email:someone@example.org', '192.0.2.1'),
    delayKey('email:someone@example.org', '192.0.2.1'),
    knownAddressesKey('email:someone@example.org'),
  ]) {
    t.equal(/\{.*\}/.exec(other)?.[0], tag, `${other}: one slot with the account's counter`);
  }
  t.not(accountCounterKey('username:a'), accountCounterKey('email:a'));
  t.equal(pairCounterKey('account:x', undefined).endsWith(':ip:none'), true);
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
