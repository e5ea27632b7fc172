import t from 'tap';
import { createVerifiedCache } from '../src/auth/cache.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

t.test('entries live until their own expiry', async (t) => {
  const c = clock();
  const cache = createVerifiedCache<string>({ max: 10, now: c.now });
  cache.set('a', 'A', c.now() + 1000, c.now());
  t.equal(cache.get('a'), 'A');
  c.advance(999);
  t.equal(cache.get('a'), 'A');
  c.advance(1);
  t.equal(cache.get('a'), undefined, 'expired');
  cache.set('b', 'B', c.now(), c.now());
  t.equal(cache.get('b'), undefined, 'an already expired value is not stored');
});

t.test('bounded: the least recently used entry goes first', async (t) => {
  const c = clock();
  const cache = createVerifiedCache<string>({ max: 2, now: c.now });
  cache.set('a', 'A', c.now() + 1000, c.now());
  cache.set('b', 'B', c.now() + 1000, c.now());
  cache.get('a');
  cache.set('c', 'C', c.now() + 1000, c.now());
  t.equal(cache.size, 2);
  t.equal(cache.get('b'), undefined, 'b was least recently used');
  t.equal(cache.get('a'), 'A');
  t.equal(cache.get('c'), 'C');
});

t.test('a delete refuses values verified before it; later ones are stored again', async (t) => {
  const c = clock();
  const cache = createVerifiedCache<string>({ max: 10, tombstoneMs: 5000, now: c.now });
  const startedBefore = c.now();
  c.advance(10);
  cache.delete('a');
  c.advance(10);
  cache.set('a', 'stale', c.now() + 1000, startedBefore);
  t.equal(cache.get('a'), undefined, 'a verification that started before the delete is dropped');
  cache.set('a', 'fresh', c.now() + 1000, c.now());
  t.equal(cache.get('a'), 'fresh');
});

t.test('clear drops everything and refuses verifications that started before it', async (t) => {
  const c = clock();
  const cache = createVerifiedCache<string>({ max: 10, now: c.now });
  const before = c.now();
  cache.set('a', 'A', c.now() + 1000, before);
  c.advance(5);
  cache.clear();
  t.equal(cache.get('a'), undefined);
  cache.set('b', 'B', c.now() + 1000, before);
  t.equal(cache.get('b'), undefined);
  c.advance(1);
  cache.set('b', 'B', c.now() + 1000, c.now());
  t.equal(cache.get('b'), 'B');
});
