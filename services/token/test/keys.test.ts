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
