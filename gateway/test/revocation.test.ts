import t from 'tap';
import { createRevocationList } from '../src/auth/revocation.js';
import { AuthError } from '../src/auth/errors.js';

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

t.test('events feed the local list; Redis is asked on a local miss', async (t) => {
  const asked: string[] = [];
  const list = createRevocationList({
    exists: async (key) => {
      asked.push(key);
      return key === 'revoked:in-redis';
    },
  });
  list.add({ jti: 'by-event', profile: 'drf', exp: inAnHour() });
  t.equal(list.isLocallyRevoked('by-event'), true);
  t.equal(await list.isRevoked('by-event'), true);
  t.same(asked, [], 'no Redis round trip for a known revocation');
  t.equal(await list.isRevoked('in-redis'), true, 'contracts revokedKey(id) in Redis');
  t.equal(await list.isRevoked('fine'), false);
  t.same(asked, ['revoked:in-redis', 'revoked:fine']);
});

t.test('Redis down: unavailable, never "not revoked"', async (t) => {
  const list = createRevocationList({
    exists: async () => {
      throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    },
  });
  const err = await list.isRevoked('x').catch((e: unknown) => e);
  t.ok(err instanceof AuthError && err.reason === 'unavailable');
});

t.test('local entries end with the token (plus leeway); the list is bounded', async (t) => {
  let now = 1_000_000_000;
  const list = createRevocationList({ exists: async () => false, max: 2, graceMs: 1000, now: () => now });
  const exp = Math.floor(now / 1000) + 10;
  list.add({ jti: 'a', profile: 'envelope', exp });
  t.equal(list.isLocallyRevoked('a'), true);
  now += 10_000 + 999;
  t.equal(list.isLocallyRevoked('a'), true, 'within the leeway');
  now += 1;
  t.equal(list.isLocallyRevoked('a'), false, 'gone after expiry + leeway');
  list.add({ jti: 'dead', profile: 'drf', exp: Math.floor(now / 1000) - 100 });
  t.equal(list.size, 0, 'an event for an expired token is not kept');
  const later = Math.floor(now / 1000) + 100;
  list.add({ jti: 'x', profile: 'drf', exp: later });
  list.add({ jti: 'y', profile: 'drf', exp: later });
  list.add({ jti: 'z', profile: 'drf', exp: later });
  t.equal(list.size, 2);
  t.equal(list.isLocallyRevoked('x'), false, 'oldest dropped (Redis still has it)');
});
