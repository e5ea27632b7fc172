// TRUSTED_PROXIES as the gateway reads it: addresses and CIDRs, checked once at start.
import t from 'tap';
import { ConfigError } from '@propusk/kit';
import { trustedProxies } from '../src/trusted-proxies.js';

t.test('addresses and CIDRs of both families, trimmed; unset is none', async (t) => {
  t.same(trustedProxies(undefined), []);
  t.same(trustedProxies('10.0.0.0/8, 127.0.0.1 ,fd00::/8,::1'), [
    '10.0.0.0/8',
    '127.0.0.1',
    'fd00::/8',
    '::1',
  ]);
});

t.test('anything else stops the start, naming the variable', async (t) => {
  for (const bad of [
    '',
    'proxy.example',
    '10.0.0.0/33',
    'fd00::/129',
    '10.0.0.1/8/8',
    '10.0.0.0/x',
    '1.2.3.4,',
  ]) {
    t.throws(() => trustedProxies(bad), ConfigError, JSON.stringify(bad));
  }
  for (const everyone of ['0.0.0.0/0', '::/0']) {
    t.throws(() => trustedProxies(everyone), { message: /must not trust every address/ }, everyone);
  }
});
