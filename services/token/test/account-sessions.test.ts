import t from 'tap';
import { decodeJwt } from 'jose';
import { tokenId } from '@propusk/contracts';
import { ALICE, ANDREJ, buildDomain, STAFF, type Domain } from './fixtures/domain.js';

/**
 * revokeAccountSessions across profiles on fake stores: every session the service issued for
 * an account ends (state, revocation records, events), except the one the caller keeps; other
 * accounts are untouched.
 */
const OTHER = '7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9';

/** One session of every profile for `accountId`. */
async function everyProfile(d: Domain, accountId: string) {
  // Envelope tokens carry no account id nor jti: same username in the same second, same token.
  d.clock.advance(1000);
  const subject = { ...ALICE, accountId, username: `user-${accountId.slice(0, 8)}` };
  return {
    drf: (await d.drf.issue(subject)).token,
    envelope: (await d.envelope.issue(subject)).token,
    v2: (await d.v2.issue(subject)).token,
    admin: await d.adminTelegram.issue({ ...STAFF, accountId }),
    authz: await d.authorization.issue({ ...ANDREJ, accountId }),
  };
}

async function active(d: Domain, token: string): Promise<boolean> {
  return (await d.introspection.introspect(token)).active;
}

t.test('every profile’s session of the account ends; records and events; others untouched', async (t) => {
  const d = await buildDomain();
  const mine = await everyProfile(d, ALICE.accountId);
  const refreshed = await d.authorization.refresh(mine.authz.refresh);
  const theirs = await everyProfile(d, OTHER);
  t.strictSame(
    (await d.sessions.list(ALICE.accountId)).map((r) => r.profile).sort(),
    ['admin-telegram', 'authorization', 'drf', 'envelope', 'v2'],
    'one index entry per session',
  );

  const drfExp = (await d.drf.lookup(mine.drf))!.exp;
  t.equal(await d.accountSessions.revokeAll(ALICE.accountId), 5);
  const tokens = [
    mine.drf,
    mine.envelope,
    mine.v2,
    mine.admin.access_token,
    mine.admin.refresh_token,
    mine.authz.access,
    mine.authz.refresh,
    refreshed.access,
  ];
  for (const token of tokens) t.equal(await active(d, token), false, `${token.slice(0, 12)}… inactive`);
  await t.rejects(d.adminTelegram.refresh(mine.admin.refresh_token), { code: 'invalid_token' });
  await t.rejects(d.authorization.refresh(mine.authz.refresh), { code: 'invalid_token' });

  const exp = (token: string) => decodeJwt(token).exp!;
  t.strictSame(
    d.events.published,
    [
      { jti: tokenId(mine.drf), profile: 'drf', exp: drfExp },
      { jti: tokenId(mine.envelope), profile: 'envelope', exp: exp(mine.envelope) },
      { jti: tokenId(mine.v2), profile: 'v2', exp: exp(mine.v2) },
      { jti: tokenId(mine.admin.access_token), profile: 'admin-telegram', exp: exp(mine.admin.access_token) },
      { jti: tokenId(mine.authz.refresh), profile: 'authorization', exp: exp(mine.authz.refresh) },
      { jti: tokenId(mine.authz.access), profile: 'authorization', exp: exp(mine.authz.access) },
      { jti: tokenId(refreshed.access), profile: 'authorization', exp: exp(refreshed.access) },
    ],
    'one event per token that died',
  );
  for (const e of d.events.published) t.ok(d.revocationStore.entries.has(e.jti), `record for ${e.profile}`);

  for (const token of [
    theirs.drf,
    theirs.envelope,
    theirs.v2,
    theirs.admin.access_token,
    theirs.authz.access,
  ]) {
    t.equal(await active(d, token), true, 'another account’s session lives');
  }
  t.strictSame(await d.sessions.list(ALICE.accountId), [], 'the index forgot the ended sessions');
  t.equal(await d.accountSessions.revokeAll(ALICE.accountId), 0, 'a second call finds nothing');
  t.equal(d.events.published.length, 7);
});

t.test('keepTokenId keeps the caller’s own session, of any profile', async (t) => {
  const d = await buildDomain();
  const mine = await everyProfile(d, ALICE.accountId);
  t.equal(await d.accountSessions.revokeAll(ALICE.accountId, tokenId(mine.v2)), 4, 'a v2 token kept');
  t.equal(await active(d, mine.v2), true);
  t.equal(await active(d, mine.drf), false);

  const again = await everyProfile(d, ALICE.accountId);
  t.equal(await d.accountSessions.revokeAll(ALICE.accountId, tokenId(again.admin.access_token)), 5);
  t.equal(
    await active(d, again.admin.access_token),
    true,
    'an admin-telegram family kept by its access token',
  );
  t.equal(await active(d, again.admin.refresh_token), true);
  t.equal(await active(d, mine.v2), false, 'the earlier kept v2 token goes this time');

  const third = await everyProfile(d, ALICE.accountId);
  const refreshed = await d.authorization.refresh(third.authz.refresh);
  t.equal(await d.accountSessions.revokeAll(ALICE.accountId, tokenId(refreshed.access)), 5);
  t.equal(
    await active(d, third.authz.refresh),
    true,
    'an authorization session kept by one of its access tokens',
  );
  t.equal(await active(d, third.authz.access), true);
  t.equal(await active(d, again.admin.access_token), false);

  t.equal(await d.accountSessions.revokeAll(ALICE.accountId, tokenId(third.authz.refresh)), 0);
  t.equal(await active(d, third.authz.access), true, 'kept by its refresh token');
  t.equal(await d.accountSessions.revokeAll(ALICE.accountId, 'no-such-token'), 1);
  t.equal(await active(d, third.authz.access), false);
});

t.test(
  'sessions that ended by themselves are pruned and not counted; rotation keeps a family indexed',
  async (t) => {
    const d = await buildDomain();
    await d.v2.issue(ALICE);
    await d.envelope.issue(ALICE);
    const family = await d.adminTelegram.issue({ ...STAFF, accountId: ALICE.accountId });
    d.clock.advance(6 * 86_400_000);
    const rotated = await d.adminTelegram.refresh(family.refresh_token);
    t.strictSame(
      (await d.sessions.list(ALICE.accountId)).map((r) => r.profile),
      ['admin-telegram'],
      'the expired v2 and envelope tokens are gone',
    );
    t.equal(d.accountSessionStore.accounts.get(ALICE.accountId)!.size, 1, 'pruned on write');
    d.clock.advance(2 * 86_400_000); // past the first refresh token's expiry, not the rotated one's
    t.equal(await active(d, rotated.refresh_token), true);
    t.equal(await d.accountSessions.revokeAll(ALICE.accountId), 1, 'the family is still found');
    t.equal(await active(d, rotated.refresh_token), false);
  },
);

t.test('a session already ended another way is forgotten, not counted', async (t) => {
  const d = await buildDomain();
  const { token } = await d.drf.issue(ALICE);
  const pair = await d.authorization.issue(ANDREJ);
  await d.introspection.revoke(token);
  await d.introspection.revoke(pair.refresh);
  const events = d.events.published.length;
  t.equal(await d.accountSessions.revokeAll(ANDREJ.accountId), 0);
  t.equal(await d.accountSessions.revokeAll(ALICE.accountId), 0);
  t.equal(d.events.published.length, events, 'no second event');
  t.strictSame(await d.sessions.list(ALICE.accountId), []);
});

t.test('Redis down: unavailable; issuing fails too, so no token escapes the index', async (t) => {
  const d = await buildDomain();
  d.outage.down = true;
  await t.rejects(d.accountSessions.revokeAll(ALICE.accountId), { code: 'unavailable' });
  await t.rejects(d.v2.issue(ALICE), { code: 'unavailable' });
  await t.rejects(d.envelope.issue(ALICE), { code: 'unavailable' });
});
