import t from 'tap';
import { tokenId } from '@propusk/contracts';
import { createAuthenticator, type TokenStrategy } from '../src/auth/authenticator.js';
import { createVerifiedCache } from '../src/auth/cache.js';
import { createRevocationList } from '../src/auth/revocation.js';
import { invalidToken, unavailable } from '../src/auth/errors.js';
import type { VerifiedToken } from '../src/auth/identity.js';

const TOKEN = 'b'.repeat(40);
const ID = tokenId(TOKEN);

function fixture(
  opts: {
    verify?: (token: string) => Promise<VerifiedToken>;
    revokedInRedis?: Set<string>;
    redisDown?: () => boolean;
  } = {},
) {
  let verifications = 0;
  let redisChecks = 0;
  const identity = (profile: 'drf' | 'envelope'): VerifiedToken => ({
    subject: 's-1',
    username: 'staff1',
    profile,
    tokenId: ID,
    roles: ['staff'],
    expiresAtMs: Date.now() + 3_600_000,
  });
  const strategy = (profile: 'drf' | 'envelope', schemes: string[]): TokenStrategy => ({
    schemes,
    async verify(token) {
      verifications++;
      if (opts.verify) return opts.verify(token);
      if (token !== TOKEN) throw invalidToken('unknown');
      return identity(profile);
    },
  });
  const revokedInRedis = opts.revokedInRedis ?? new Set<string>();
  const auth = createAuthenticator({
    strategies: { drf: strategy('drf', ['bearer', 'token']), envelope: strategy('envelope', ['bearer']) },
    revocations: createRevocationList({
      exists: async (key) => {
        redisChecks++;
        if (opts.redisDown?.()) throw new Error('redis down');
        return revokedInRedis.has(key.replace(/^revoked:/, ''));
      },
    }),
    cache: createVerifiedCache<VerifiedToken>({ max: 100 }),
    cacheTtlMs: 60_000,
  });
  return { auth, revokedInRedis, verifications: () => verifications, redisChecks: () => redisChecks };
}

t.test('missing, malformed, invalid, verified', async (t) => {
  const { auth } = fixture();
  t.match(await auth.authenticate('drf', undefined), { kind: 'rejected', reason: 'missing' });
  t.match(await auth.authenticate('drf', 'Basic abc'), { kind: 'rejected', reason: 'missing' });
  t.match(await auth.authenticate('drf', 'Token'), { kind: 'rejected', reason: 'invalid' });
  t.match(await auth.authenticate('drf', `Token ${'c'.repeat(40)}`), { kind: 'rejected', reason: 'invalid' });
  t.match(await auth.authenticate('drf', `Token ${TOKEN}`), {
    kind: 'verified',
    token: TOKEN,
    identity: { username: 'staff1', profile: 'drf', tokenId: ID },
  });
  t.match(
    await auth.authenticate('envelope', `Token ${TOKEN}`),
    { kind: 'rejected', reason: 'missing' },
    'scheme per profile',
  );
  t.equal(auth.supports('drf'), true);
  t.equal(auth.supports('v2'), false);
});

t.test('verifications are cached; revocation events and logouts drop them', async (t) => {
  const f = fixture();
  await f.auth.authenticate('drf', `Bearer ${TOKEN}`);
  await f.auth.authenticate('drf', `Token ${TOKEN}`);
  t.equal(f.verifications(), 1, 'second request served from the cache');
  t.equal(f.redisChecks(), 1, 'Redis asked once, on the miss');

  f.auth.revoked({ jti: ID, profile: 'drf', exp: Math.floor(Date.now() / 1000) + 3600 });
  t.match(
    await f.auth.authenticate('drf', `Bearer ${TOKEN}`),
    { kind: 'rejected', reason: 'invalid' },
    'event: refused at once',
  );

  const g = fixture();
  await g.auth.authenticate('drf', `Bearer ${TOKEN}`);
  g.revokedInRedis.add(ID); // the token service wrote the record, then answered the logout
  g.auth.forget(ID);
  t.match(
    await g.auth.authenticate('drf', `Bearer ${TOKEN}`),
    { kind: 'rejected', reason: 'invalid', detail: 'revoked' },
    'logout through this gateway: the next request re-checks Redis',
  );
});

t.test("a cached token of one profile is not accepted on another profile's route", async (t) => {
  const f = fixture();
  t.match(await f.auth.authenticate('drf', `Bearer ${TOKEN}`), { kind: 'verified' });
  // The envelope strategy of this fixture would verify it as envelope: make it refuse.
  const g = fixture({
    verify: async () => {
      throw invalidToken('not a JWS');
    },
  });
  t.match(await g.auth.authenticate('envelope', `Bearer ${TOKEN}`), { kind: 'rejected', reason: 'invalid' });
});

t.test('a strategy answering another profile is refused', async (t) => {
  const f = fixture({
    verify: async () => ({
      subject: 's',
      username: 'u',
      profile: 'envelope',
      tokenId: ID,
      roles: [],
      expiresAtMs: Date.now() + 1000,
    }),
  });
  t.match(await f.auth.authenticate('drf', `Bearer ${TOKEN}`), { kind: 'rejected', reason: 'invalid' });
});

t.test('revoked in Redis: invalid; Redis down: unavailable and nothing cached', async (t) => {
  const f = fixture({ revokedInRedis: new Set([ID]) });
  t.match(await f.auth.authenticate('drf', `Bearer ${TOKEN}`), {
    kind: 'rejected',
    reason: 'invalid',
    detail: 'revoked',
  });
  let down = true;
  const g = fixture({ redisDown: () => down });
  t.match(await g.auth.authenticate('drf', `Bearer ${TOKEN}`), { kind: 'rejected', reason: 'unavailable' });
  down = false;
  t.match(await g.auth.authenticate('drf', `Bearer ${TOKEN}`), { kind: 'verified' });
  t.equal(g.verifications(), 2, 'the unavailable answer was not cached');
});

t.test('a verifier that cannot run: unavailable', async (t) => {
  const f = fixture({
    verify: async () => {
      throw unavailable('token service down');
    },
  });
  t.match(await f.auth.authenticate('drf', `Bearer ${TOKEN}`), { kind: 'rejected', reason: 'unavailable' });
});

t.test('reset drops every cached verification', async (t) => {
  const f = fixture();
  await f.auth.authenticate('drf', `Bearer ${TOKEN}`);
  f.auth.reset();
  await f.auth.authenticate('drf', `Bearer ${TOKEN}`);
  t.equal(f.verifications(), 2);
});
