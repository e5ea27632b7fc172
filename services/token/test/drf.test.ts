import t from 'tap';
import { tokenId } from '@propusk/contracts';
import { ALICE, buildDomain, DRF_ISSUER, DRF_TTL_S } from './fixtures/domain.js';

t.test('drf issue: 40 lowercase hex, a new token per login, stored only under its hash', async (t) => {
  const d = await buildDomain();
  const iat = Math.floor(d.clock.now() / 1000);
  const first = await d.drf.issue(ALICE);
  const second = await d.drf.issue(ALICE);
  t.match(first.token, /^[0-9a-f]{40}$/);
  t.not(first.token, second.token, 'every login gets its own token');
  t.strictSame([...d.drfStore.entries.keys()].sort(), [tokenId(first.token), tokenId(second.token)].sort());
  const stored = d.drfStore.entries.get(tokenId(first.token))!;
  t.strictSame(JSON.parse(stored.value), {
    accountId: ALICE.accountId,
    username: 'staff1',
    roles: ['staff'],
    iat,
    exp: iat + DRF_TTL_S,
  });
  t.equal(stored.ttlS, DRF_TTL_S, 'Redis expires it with the token');
  t.notOk(JSON.stringify([...d.drfStore.entries]).includes(first.token), 'the raw token is stored nowhere');
});

t.test('drf introspect: active with the RFC 7662 members, inactive once expired', async (t) => {
  const d = await buildDomain();
  const iat = Math.floor(d.clock.now() / 1000);
  const { token } = await d.drf.issue({ ...ALICE, roles: ['staff', 'superuser', 'staff'] });
  t.strictSame(await d.introspection.introspect(token), {
    active: true,
    sub: ALICE.accountId,
    username: 'staff1',
    profile: 'drf',
    token_type: 'access_token',
    roles: ['staff', 'superuser'],
    jti: tokenId(token),
    iat,
    exp: iat + DRF_TTL_S,
    iss: DRF_ISSUER,
  });
  d.clock.advance(DRF_TTL_S * 1000 - 1000);
  t.equal((await d.introspection.introspect(token)).active, true, 'one second before expiry');
  d.clock.advance(1000);
  t.strictSame(await d.introspection.introspect(token), { active: false }, 'expired');
});

t.test('drf revoke: deletes the session, records and announces the revocation, once', async (t) => {
  const d = await buildDomain();
  const { token, session } = await d.drf.issue(ALICE);
  const other = await d.drf.issue(ALICE);
  d.clock.advance(3600_000);
  t.strictSame(await d.introspection.revoke(token), { revoked: true });
  t.strictSame(await d.introspection.introspect(token), { active: false });
  t.notOk(d.drfStore.entries.has(tokenId(token)), 'session deleted');
  const record = d.revocationStore.entries.get(tokenId(token))!;
  t.strictSame(record.value, { jti: tokenId(token), profile: 'drf', exp: session.exp });
  t.equal(record.ttlS, DRF_TTL_S - 3600 + 30, 'kept until the token expiry plus the clock leeway');
  t.strictSame(d.events.published, [{ jti: tokenId(token), profile: 'drf', exp: session.exp }]);
  t.strictSame(await d.introspection.revoke(token), { revoked: false }, 'a second revoke finds nothing');
  t.equal(d.events.published.length, 1, 'and announces nothing');
  t.equal((await d.introspection.introspect(other.token)).active, true, 'the other login is untouched');
});

t.test('drf revoke of unknown or malformed tokens answers revoked false (RFC 7009)', async (t) => {
  const d = await buildDomain();
  t.strictSame(await d.introspection.revoke('0'.repeat(40)), { revoked: false });
  t.strictSame(await d.introspection.revoke('A'.repeat(40)), { revoked: false });
  t.strictSame(await d.introspection.revoke('not a token'), { revoked: false });
  t.strictSame(d.events.published, []);
});

t.test('Redis down: introspect and revoke fail closed with unavailable, never active', async (t) => {
  const d = await buildDomain();
  const { token } = await d.drf.issue(ALICE);
  d.outage.down = true;
  await t.rejects(d.introspection.introspect(token), {
    name: 'PropuskError',
    code: 'unavailable',
    status: 503,
  });
  await t.rejects(d.introspection.revoke(token), { code: 'unavailable' });
  await t.rejects(d.drf.issue(ALICE), { code: 'unavailable' });
  d.outage.down = false;
  t.equal((await d.introspection.introspect(token)).active, true, 'the failed revoke changed nothing');
});
