import t from 'tap';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { tokenId } from '@propusk/contracts';
import { LONGEST_TOKEN_LIFETIME_MS } from '../src/keys/service.js';
import { ADMIN, ALICE, asIssued, buildDomain, ISSUER } from './fixtures/domain.js';

const TWO_HOURS_S = 7200;

t.test('envelope issue: RS256 with kid, claims exactly iss, username, admin, iat, exp', async (t) => {
  const d = await buildDomain();
  const iat = Math.floor(d.clock.now() / 1000);
  const { token, claims } = await d.envelope.issue(ADMIN);
  const active = d.keyRing.signing();
  t.strictSame(decodeProtectedHeader(token), { alg: 'RS256', typ: 'JWT', kid: active.kid });
  const payload = decodeJwt(token);
  t.strictSame(payload, {
    iss: 'digeocache',
    username: 'test_admin',
    admin: true,
    iat,
    exp: iat + TWO_HOURS_S,
  });
  t.strictSame(
    Object.keys(payload),
    ['iss', 'username', 'admin', 'iat', 'exp'],
    "document 001's claim order",
  );
  t.strictSame(claims, payload);
  // Any RFC-conforming verifier accepts it with the published keys.
  const jwks = createLocalJWKSet({ keys: d.keyRing.publicJwks() });
  const verified = await jwtVerify(token, jwks, {
    algorithms: ['RS256'],
    issuer: 'digeocache',
    currentDate: new Date(d.clock.now()),
  });
  t.equal(verified.payload.username, 'test_admin');
});

t.test('envelope admin is true for admin or superuser only (DESIGN)', async (t) => {
  const d = await buildDomain();
  const cases: Array<[Array<'admin' | 'superuser' | 'staff'>, boolean]> = [
    [['admin'], true],
    [['superuser'], true],
    [['staff', 'admin'], true],
    [['staff'], false],
    [[], false],
  ];
  for (const [roles, admin] of cases) {
    const { token } = await d.envelope.issue({ ...ALICE, roles });
    t.equal(decodeJwt(token).admin, admin, `roles [${roles.join(', ')}]`);
  }
});

t.test('envelope introspect: active with the RFC 7662 members, 30 s leeway at expiry', async (t) => {
  const d = await buildDomain();
  const iat = Math.floor(d.clock.now() / 1000);
  const { token } = await d.envelope.issue(ALICE);
  t.strictSame(await d.introspection.introspect(token), {
    active: true,
    sub: ALICE.accountId,
    username: 'staff1',
    profile: 'envelope',
    token_type: 'access_token',
    roles: ['staff'],
    jti: tokenId(token),
    iat,
    exp: iat + TWO_HOURS_S,
    iss: ISSUER,
  });
  d.clock.advance((TWO_HOURS_S + 29) * 1000);
  t.equal((await d.introspection.introspect(token)).active, true, '29 s past exp: within the leeway');
  d.clock.advance(1000);
  t.strictSame(await d.introspection.introspect(token), { active: false }, '30 s past exp: expired');
});

t.test(
  'envelope introspect: sub is the account id the token was issued to, fail closed without it',
  async (t) => {
    const d = await buildDomain();
    const { token } = await d.envelope.issue(ADMIN);
    t.strictSame(
      Object.keys(decodeJwt(token)),
      ['iss', 'username', 'admin', 'iat', 'exp'],
      'claims unchanged',
    );
    t.match(await d.introspection.introspect(token), {
      active: true,
      sub: ADMIN.accountId,
      username: 'test_admin',
      roles: ['admin'],
    });
    // Signed with our key and the same claims, but never issued: nobody is recorded as its owner.
    const { kid, privateJwk } = d.keyStore.keys.find((k) => k.alg === 'RS256' && k.status === 'active')!;
    const { importJWK } = await import('jose');
    const unrecorded = await new SignJWT({ ...decodeJwt(token), iat: decodeJwt(token).iat! + 1 })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .sign(await importJWK(privateJwk, 'RS256'));
    t.equal((await d.envelope.verify(unrecorded)).ok, true, 'its signature and claims verify');
    t.strictSame(await d.introspection.introspect(unrecorded), { active: false }, 'no owner: inactive');
    await asIssued(d, unrecorded, ALICE);
    t.strictSame(
      await d.introspection.introspect(unrecorded),
      { active: false },
      'an owner of another username: inactive',
    );
  },
);

t.test('envelope revoke: record until expiry, event, then inactive; twice is false', async (t) => {
  const d = await buildDomain();
  const { token, claims } = await d.envelope.issue(ALICE);
  // Same claims in the same second give the same token (no jti, deterministic RS256): a second apart.
  d.clock.advance(1000);
  const other = await d.envelope.issue(ALICE);
  t.not(other.token, token);
  d.clock.advance(599_000);
  t.strictSame(await d.introspection.revoke(token), { revoked: true });
  t.strictSame(await d.introspection.introspect(token), { active: false });
  const record = d.revocationStore.entries.get(tokenId(token))!;
  t.strictSame(record.value, { jti: tokenId(token), profile: 'envelope', exp: claims.exp });
  t.equal(record.ttlS, TWO_HOURS_S - 600 + 30);
  t.strictSame(d.events.published, [{ jti: tokenId(token), profile: 'envelope', exp: claims.exp }]);
  t.strictSame(await d.introspection.revoke(token), { revoked: false });
  t.equal(d.events.published.length, 1);
  t.equal(
    (await d.introspection.introspect(other.token)).active,
    true,
    'another token of the same user lives',
  );
  d.outage.down = true;
  await t.rejects(
    d.introspection.introspect(other.token),
    { code: 'unavailable' },
    'revocation unreadable: fail closed',
  );
});

t.test('key rotation: old tokens verify while the old key is retiring, then stop', async (t) => {
  const d = await buildDomain();
  const oldKid = d.keyRing.signing().kid;
  const before = await d.envelope.issue(ALICE);
  // A long-lived token signed with the old key, to outlive the retiring period.
  const oldPrivate = d.keyStore.keys.find((k) => k.kid === oldKid)!.privateJwk;
  const iat = Math.floor(d.clock.now() / 1000);
  const { importJWK } = await import('jose');
  const longLived = await new SignJWT({
    iss: ISSUER,
    username: 'staff1',
    admin: false,
    iat,
    exp: iat + 30 * 86400,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: oldKid })
    .sign(await importJWK(oldPrivate, 'RS256'));
  await asIssued(d, longLived);

  // `authctl keys rotate` writes to the store; the ring sees it at its next reload.
  const rotated = await d.keys.rotate();
  t.equal(d.keyRing.signing().kid, oldKid, 'until the reload the ring still signs with the old key');
  await d.keyRing.reload();
  t.equal(d.keyRing.signing().kid, rotated.kid, 'new tokens use the new key');
  const after = await d.envelope.issue(ALICE);
  t.equal(decodeProtectedHeader(after.token).kid, rotated.kid);
  t.equal((await d.introspection.introspect(before.token)).active, true, 'old-key token still verifies');
  t.equal((await d.introspection.introspect(after.token)).active, true);
  t.strictSame(
    d.keyRing
      .publicJwks()
      .map((k) => k.kid)
      .sort(),
    [oldKid, rotated.kid].sort(),
    'JWKS publishes both while the old key is retiring',
  );

  d.clock.advance(LONGEST_TOKEN_LIFETIME_MS - 1000);
  t.equal((await d.introspection.introspect(longLived)).active, true, 'just before the key retires');
  d.clock.advance(1000);
  t.strictSame(
    await d.introspection.introspect(longLived),
    { active: false },
    'the retired key verifies nothing',
  );
  await d.keyRing.reload();
  t.strictSame(
    d.keyRing.publicJwks().map((k) => k.kid),
    [rotated.kid],
    'and leaves the JWKS',
  );
});

t.test('a token signed by another replica with a key this ring has not loaded yet', async (t) => {
  const d = await buildDomain();
  const rotated = await d.keys.rotate(); // another process rotated; this ring has not reloaded
  const iat = Math.floor(d.clock.now() / 1000);
  const { importJWK } = await import('jose');
  const sign = async () =>
    asIssued(
      d,
      await new SignJWT({ iss: ISSUER, username: 'staff1', admin: false, iat, exp: iat + 60 })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: rotated.kid })
        .sign(await importJWK(rotated.privateJwk, 'RS256')),
    );
  const readsBefore = d.keyStore.reads;
  t.equal(
    (await d.introspection.introspect(await sign())).active,
    false,
    'within 5 s of the last load: refused',
  );
  t.equal(d.keyStore.reads, readsBefore, 'no store read for an unknown kid within the reload interval');
  d.clock.advance(5000);
  t.equal(
    (await d.introspection.introspect(await sign())).active,
    true,
    'the unknown kid triggers one reload',
  );
  t.equal(d.keyStore.reads, readsBefore + 1);
});

t.test('JWKS holds public members only', async (t) => {
  const d = await buildDomain();
  await d.keys.rotate();
  await d.keyRing.reload();
  const keys = d.keyRing.publicJwks();
  t.equal(keys.length, 2);
  for (const k of keys) {
    t.strictSame(Object.keys(k).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    t.equal(k.alg, 'RS256');
    t.equal(k.use, 'sig');
  }
});
