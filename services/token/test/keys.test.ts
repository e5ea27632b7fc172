import t from 'tap';
import { createKeysService, LONGEST_TOKEN_LIFETIME_MS } from '../src/domain.js';
import { fakeKeyStore } from './fixtures/fakes.js';

t.test(
  'rotation keeps exactly one active key and retires the old one after the longest token lifetime',
  async (t) => {
    let clock = new Date('2026-01-01T00:00:00Z');
    const store = fakeKeyStore();
    const keys = createKeysService({ store, now: () => clock });
    const first = await keys.ensureActive();
    t.equal((await keys.ensureActive()).kid, first.kid, 'ensureActive does not rotate when a key exists');
    t.equal(first.alg, 'RS256');
    t.equal(first.publicJwk.kid, first.kid);
    t.notOk('d' in first.publicJwk, 'the public JWK holds no private part');

    const second = await keys.rotate();
    t.not(second.kid, first.kid);
    const verifying = await keys.verifying();
    t.same(
      verifying.map((k) => [k.kid, k.status]).sort(),
      [
        [first.kid, 'retiring'],
        [second.kid, 'active'],
      ].sort(),
    );

    clock = new Date(clock.getTime() + LONGEST_TOKEN_LIFETIME_MS - 1);
    t.equal((await keys.verifying()).length, 2, 'the old key still verifies just before its tokens expire');
    clock = new Date(clock.getTime() + 1);
    t.same(
      (await keys.verifying()).map((k) => k.kid),
      [second.kid],
      'then it is retired',
    );
  },
);

t.test('keys are scoped per algorithm: rotating one never retires the other', async (t) => {
  const store = fakeKeyStore();
  const keys = createKeysService({ store, now: () => new Date('2026-01-01T00:00:00Z') });
  const rs = await keys.ensureActive('RS256');
  const hs = await keys.ensureActive('HS256');
  t.equal(hs.alg, 'HS256');
  t.strictSame(
    hs.publicJwk,
    { kty: 'oct', kid: hs.kid, alg: 'HS256' },
    'the "public" part names the key only',
  );
  t.strictSame(Object.keys(hs.privateJwk).sort(), ['k', 'kty']);
  t.equal(Buffer.from(hs.privateJwk.k!, 'base64url').length, 32, '256-bit secret (RFC 7518 §3.2)');
  t.equal((await keys.ensureActive('HS256')).kid, hs.kid, 'ensureActive does not rotate when a key exists');

  const rs2 = await keys.rotate();
  const state = async () => (await keys.verifying()).map((k) => [k.alg, k.kid, k.status]).sort();
  t.strictSame(
    await state(),
    [
      ['HS256', hs.kid, 'active'],
      ['RS256', rs.kid, 'retiring'],
      ['RS256', rs2.kid, 'active'],
    ].sort(),
    'RS256 rotation leaves the HS256 key active',
  );
  const hs2 = await keys.rotate('HS256');
  t.strictSame(
    await state(),
    [
      ['HS256', hs.kid, 'retiring'],
      ['HS256', hs2.kid, 'active'],
      ['RS256', rs.kid, 'retiring'],
      ['RS256', rs2.kid, 'active'],
    ].sort(),
    'HS256 rotation leaves the RS256 key active',
  );
  const retiring = store.keys.find((k) => k.kid === hs.kid)!;
  // keys/lifetimes.ts: 30 days (the refresh maxima) + 2 h 10 s signing lag + a day of margin.
  t.equal(
    retiring.retireAfter!.getTime() - Date.parse('2026-01-01T00:00:00Z'),
    (31 * 24 * 3600 + 2 * 3600 + 10) * 1000,
    'an HS256 key verifies 31 days 2 h 10 s after rotation (refresh tokens live up to 30 days)',
  );
});
