import t from 'tap';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { tokenId } from '@propusk/contracts';
import { deriveHmacKey } from '../src/keys/hmac.js';
import { SUBKEY_INFO } from '../src/admin-telegram/keys.js';
import {
  ADMIN_ACCESS_TTL_S,
  ADMIN_REFRESH_TTL_S,
  buildDomain,
  STAFF,
  type Domain,
} from './fixtures/domain.js';
import { hmacJwt, masterSecret, rfc5869, rsaJwt } from './fixtures/forge.js';

/**
 * admin-telegram (document 000) on fake stores and a manual clock: the tokens' exact shape and
 * lifetimes, refresh rotation with reuse detection, introspection and revocation, and the
 * attacks on HS256 JWTs (RFC 8725 §2).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function nowS(d: Domain): number {
  return Math.floor(d.clock.now() / 1000);
}

function hsKey(d: Domain) {
  return d.keyStore.keys.find((k) => k.alg === 'HS256' && k.status === 'active')!;
}

/** The subkey a kind of this profile is signed with, computed independently (RFC 5869). */
function subkey(d: Domain, info: string): Buffer {
  return rfc5869(masterSecret(hsKey(d)), info);
}

t.test('issue: HS256 with kid, claims exactly as document 000, 15 minutes and 7 days', async (t) => {
  const d = await buildDomain();
  const issuedAt = nowS(d);
  const pair = await d.adminTelegram.issue(STAFF);
  t.strictSame(Object.keys(pair), ['access_token', 'refresh_token']);
  const kid = hsKey(d).kid;
  for (const token of [pair.access_token, pair.refresh_token]) {
    t.strictSame(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT', kid });
  }
  const access = decodeJwt(pair.access_token);
  t.strictSame(
    Object.keys(access),
    ['access_uuid', 'authorized', 'chat_id', 'exp', 'username'],
    'access claims, in order',
  );
  t.match(access.access_uuid, UUID);
  t.strictSame(
    { ...access, access_uuid: 'x' },
    { access_uuid: 'x', authorized: true, chat_id: 3546223, exp: issuedAt + 900, username: 'I0HuKc' },
  );
  const refresh = decodeJwt(pair.refresh_token);
  t.strictSame(
    Object.keys(refresh),
    ['chat_id', 'exp', 'refresh_uuid', 'username'],
    'refresh claims, in order',
  );
  t.match(refresh.refresh_uuid, UUID);
  t.strictSame(
    { ...refresh, refresh_uuid: 'x' },
    { chat_id: 3546223, exp: issuedAt + 7 * 86400, refresh_uuid: 'x', username: 'I0HuKc' },
  );
  t.equal(ADMIN_ACCESS_TTL_S, 900);
  t.equal(ADMIN_REFRESH_TTL_S, 604800);

  // Any RFC-conforming verifier accepts each token under its own HKDF subkey, and only that.
  const options = { algorithms: ['HS256'], currentDate: new Date(d.clock.now()) };
  t.ok(await jwtVerify(pair.access_token, subkey(d, 'propusk admin-telegram access'), options));
  t.ok(await jwtVerify(pair.refresh_token, subkey(d, 'propusk admin-telegram refresh'), options));
  await t.rejects(
    jwtVerify(pair.access_token, masterSecret(hsKey(d)), options),
    'never signed with the master secret',
  );
  await t.rejects(jwtVerify(pair.refresh_token, subkey(d, 'propusk admin-telegram access'), options));
});

t.test('HKDF subkeys: RFC 5869 with distinct info per profile and kind', async (t) => {
  const secret = new Uint8Array(32).fill(7);
  t.strictSame(SUBKEY_INFO, {
    access: 'propusk admin-telegram access',
    refresh: 'propusk admin-telegram refresh',
  });
  const a = deriveHmacKey(secret, SUBKEY_INFO.access);
  const r = deriveHmacKey(secret, SUBKEY_INFO.refresh);
  const other = deriveHmacKey(secret, 'propusk authorization access');
  t.equal(a.length, 32);
  t.strictSame(Buffer.from(a), rfc5869(secret, SUBKEY_INFO.access));
  t.strictSame(Buffer.from(r), rfc5869(secret, SUBKEY_INFO.refresh));
  t.not(Buffer.from(a).toString('hex'), Buffer.from(r).toString('hex'));
  t.not(Buffer.from(a).toString('hex'), Buffer.from(other).toString('hex'));
});

t.test('introspection: access and refresh tokens, active with the account', async (t) => {
  const d = await buildDomain();
  const pair = await d.adminTelegram.issue({ ...STAFF, roles: ['staff', 'admin', 'staff'] });
  const access = decodeJwt(pair.access_token);
  const refresh = decodeJwt(pair.refresh_token);
  t.strictSame(await d.introspection.introspect(pair.access_token), {
    active: true,
    sub: STAFF.accountId,
    username: 'I0HuKc',
    profile: 'admin-telegram',
    token_type: 'access_token',
    roles: ['staff', 'admin'],
    jti: access.access_uuid,
    exp: access.exp,
  });
  t.strictSame(await d.introspection.introspect(pair.refresh_token), {
    active: true,
    sub: STAFF.accountId,
    username: 'I0HuKc',
    profile: 'admin-telegram',
    token_type: 'refresh_token',
    roles: ['staff', 'admin'],
    jti: refresh.refresh_uuid,
    exp: refresh.exp,
  });
});

t.test('lifetimes on the clock: access dies after 15 minutes, refresh after 7 days', async (t) => {
  const d = await buildDomain();
  const pair = await d.adminTelegram.issue(STAFF);
  d.clock.advance(899_000);
  t.equal((await d.introspection.introspect(pair.access_token)).active, true, 'at 14:59');
  d.clock.advance(1000);
  t.strictSame(await d.introspection.introspect(pair.access_token), { active: false }, 'at 15:00');
  t.strictSame(await d.adminTelegram.verify(pair.access_token, 'access'), { ok: false, reason: 'expired' });

  const late = await d.adminTelegram.issue(STAFF);
  d.clock.advance(ADMIN_REFRESH_TTL_S * 1000 - 1000);
  const renewed = await d.adminTelegram.refresh(late.refresh_token);
  t.equal(
    (await d.introspection.introspect(renewed.access_token)).active,
    true,
    'refresh works until its last second',
  );
  t.equal(
    decodeJwt(renewed.refresh_token).exp,
    nowS(d) + ADMIN_REFRESH_TTL_S,
    'the new refresh token lives 7 days from now',
  );

  const expiring = await d.adminTelegram.issue(STAFF);
  d.clock.advance(ADMIN_REFRESH_TTL_S * 1000);
  await t.rejects(d.adminTelegram.refresh(expiring.refresh_token), { code: 'invalid_token', status: 401 });
  t.strictSame(await d.introspection.introspect(expiring.refresh_token), { active: false });
});

t.test(
  'refresh rotates: a new pair in the same family, the old pair dies, the old access is announced',
  async (t) => {
    const d = await buildDomain();
    const first = await d.adminTelegram.issue(STAFF);
    d.clock.advance(60_000);
    const second = await d.adminTelegram.refresh(first.refresh_token);
    t.not(second.access_token, first.access_token);
    t.not(second.refresh_token, first.refresh_token);
    t.equal(d.adminTelegramStore.families.size, 1, 'the same family');
    const family = [...d.adminTelegramStore.families.values()][0]!.value;
    t.equal(family.refreshUuid, decodeJwt(second.refresh_token).refresh_uuid);
    t.equal(family.accessUuid, decodeJwt(second.access_token).access_uuid);
    t.equal(d.adminTelegramStore.sessions.size, 1, 'one live access session per family');

    t.strictSame(await d.introspection.introspect(first.access_token), { active: false }, 'old access: gone');
    t.strictSame(
      await d.introspection.introspect(first.refresh_token),
      { active: false },
      'old refresh: used',
    );
    t.equal((await d.introspection.introspect(second.access_token)).active, true);
    t.equal((await d.introspection.introspect(second.refresh_token)).active, true);
    t.strictSame(d.events.published, [
      { jti: tokenId(first.access_token), profile: 'admin-telegram', exp: decodeJwt(first.access_token).exp },
    ]);
    t.strictSame(decodeJwt(second.access_token).username, 'I0HuKc');
    t.strictSame(
      (await d.introspection.introspect(second.access_token)).sub,
      STAFF.accountId,
      'the account carries over',
    );

    const third = await d.adminTelegram.refresh(second.refresh_token);
    t.equal((await d.introspection.introspect(third.access_token)).active, true, 'and again');
  },
);

t.test('reuse: a used refresh token revokes the whole family and answers refresh_reused', async (t) => {
  const d = await buildDomain();
  const other = await d.adminTelegram.issue(STAFF); // another login of the same user
  const first = await d.adminTelegram.issue(STAFF);
  const second = await d.adminTelegram.refresh(first.refresh_token);
  d.events.published.length = 0;

  await t.rejects(d.adminTelegram.refresh(first.refresh_token), { code: 'refresh_reused', status: 401 });
  t.strictSame(
    await d.introspection.introspect(second.access_token),
    { active: false },
    'the live access died',
  );
  t.strictSame(
    await d.introspection.introspect(second.refresh_token),
    { active: false },
    'the live refresh died',
  );
  await t.rejects(d.adminTelegram.refresh(second.refresh_token), { code: 'invalid_token' }, 'cannot refresh');
  await t.rejects(
    d.adminTelegram.refresh(first.refresh_token),
    { code: 'invalid_token' },
    'the family is gone',
  );
  t.strictSame(d.events.published, [
    { jti: tokenId(second.access_token), profile: 'admin-telegram', exp: decodeJwt(second.access_token).exp },
  ]);
  t.equal(await d.revocation.isRevoked(tokenId(second.access_token)), true, 'revocation record for caches');
  t.equal((await d.introspection.introspect(other.access_token)).active, true, 'other families live on');
  t.equal((await d.introspection.introspect(other.refresh_token)).active, true);
});

t.test('two concurrent refreshes with one token: one pair, the other refused, one live family', async (t) => {
  const d = await buildDomain({ adminReuseGraceMs: 2000 });
  const pair = await d.adminTelegram.issue(STAFF);
  const results = await Promise.allSettled([
    d.adminTelegram.refresh(pair.refresh_token),
    d.adminTelegram.refresh(pair.refresh_token),
  ]);
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r) => r.status === 'rejected');
  t.equal(won.length, 1, 'exactly one gets a pair');
  t.match(lost, [{ reason: { code: 'invalid_token' } }], 'the other is refused as an invalid refresh');
  const winner = (won[0] as PromiseFulfilledResult<{ access_token: string; refresh_token: string }>).value;
  t.equal((await d.introspection.introspect(winner.access_token)).active, true, 'the family lives');
  t.equal(d.adminTelegramStore.families.size, 1, 'exactly one family');

  d.clock.advance(1999);
  await t.rejects(
    d.adminTelegram.refresh(pair.refresh_token),
    { code: 'invalid_token' },
    'again just inside the grace: refused, nothing revoked',
  );
  t.equal((await d.introspection.introspect(winner.access_token)).active, true);
  d.clock.advance(1);
  await t.rejects(
    d.adminTelegram.refresh(pair.refresh_token),
    { code: 'refresh_reused' },
    'once the grace is over the same token is a reuse',
  );
  t.strictSame(await d.introspection.introspect(winner.access_token), { active: false }, 'family revoked');
  t.strictSame(await d.introspection.introspect(winner.refresh_token), { active: false });
  t.equal(d.adminTelegramStore.families.size, 0);
});

t.test('within the grace, the old token is a reuse once its successor was used', async (t) => {
  const d = await buildDomain({ adminReuseGraceMs: 2000 });
  const pair = await d.adminTelegram.issue(STAFF);
  const second = await d.adminTelegram.refresh(pair.refresh_token);
  const third = await d.adminTelegram.refresh(second.refresh_token);
  await t.rejects(d.adminTelegram.refresh(pair.refresh_token), { code: 'refresh_reused' });
  t.strictSame(await d.introspection.introspect(third.access_token), { active: false });
});

t.test('kinds never mix: refresh as access and access as refresh are refused', async (t) => {
  const d = await buildDomain();
  const pair = await d.adminTelegram.issue(STAFF);
  t.strictSame(await d.adminTelegram.verify(pair.refresh_token, 'access'), {
    ok: false,
    reason: 'bad_signature',
  });
  t.strictSame(await d.adminTelegram.verify(pair.access_token, 'refresh'), {
    ok: false,
    reason: 'bad_signature',
  });
  await t.rejects(d.adminTelegram.refresh(pair.access_token), { code: 'invalid_token' });

  // Even signed with the other kind's key, the claim set gives a token away.
  const kid = hsKey(d).kid;
  const header = { alg: 'HS256', typ: 'JWT', kid };
  const refreshClaims = decodeJwt(pair.refresh_token);
  const refreshUnderAccessKey = hmacJwt(header, refreshClaims, subkey(d, SUBKEY_INFO.access));
  t.strictSame(await d.adminTelegram.verify(refreshUnderAccessKey, 'access'), {
    ok: false,
    reason: 'bad_claims',
  });
  t.strictSame(await d.introspection.introspect(refreshUnderAccessKey), { active: false });
  const accessUnderRefreshKey = hmacJwt(header, decodeJwt(pair.access_token), subkey(d, SUBKEY_INFO.refresh));
  t.strictSame(await d.adminTelegram.verify(accessUnderRefreshKey, 'refresh'), {
    ok: false,
    reason: 'bad_claims',
  });
  await t.rejects(d.adminTelegram.refresh(accessUnderRefreshKey), { code: 'invalid_token' });
  t.equal(
    (await d.introspection.introspect(pair.access_token)).active,
    true,
    'the genuine pair is untouched',
  );
});

t.test('attacks on HS256: master secret, other profiles, RS256, none, foreign headers', async (t) => {
  const d = await buildDomain();
  const pair = await d.adminTelegram.issue(STAFF);
  const session = decodeJwt(pair.access_token);
  const kid = hsKey(d).kid;
  const header = { alg: 'HS256', typ: 'JWT', kid };
  const rs = d.keyStore.keys.find((k) => k.alg === 'RS256' && k.status === 'active')!;
  // The genuine session's claims, so only the signature or header can make the difference.
  const claims = { ...session };
  const access = subkey(d, SUBKEY_INFO.access);

  t.strictSame(
    await d.adminTelegram.verify(hmacJwt(header, claims, access), 'access'),
    {
      ok: true,
      kind: 'access',
      claims,
    },
    'control: the right subkey verifies',
  );

  const cases: Array<[string, string, string]> = [
    ['signed with the master secret', hmacJwt(header, claims, masterSecret(hsKey(d))), 'bad_signature'],
    [
      'signed with document 002 subkey',
      hmacJwt(header, claims, subkey(d, 'propusk authorization access')),
      'bad_signature',
    ],
    [
      'RS256 with our HS kid',
      rsaJwt(rs.privateJwk, { alg: 'RS256', typ: 'JWT', kid }, claims),
      'alg_mismatch',
    ],
    [
      'RS256 with our RS kid',
      rsaJwt(rs.privateJwk, { alg: 'RS256', typ: 'JWT', kid: rs.kid }, claims),
      'unknown_kid',
    ],
    [
      'HS256 under the RS kid, the public key JSON as secret',
      hmacJwt({ ...header, kid: rs.kid }, claims, JSON.stringify(rs.publicJwk)),
      'unknown_kid',
    ],
    [
      'alg none',
      `${hmacJwt({ alg: 'none', typ: 'JWT', kid }, claims, access).split('.').slice(0, 2).join('.')}.`,
      'alg_mismatch',
    ],
    [
      'alg none with a real signature',
      hmacJwt({ alg: 'none', typ: 'JWT', kid }, claims, access),
      'alg_mismatch',
    ],
    ['HS512', hmacJwt({ ...header, alg: 'HS512' }, claims, access, 512), 'alg_mismatch'],
    ['hs256 in lowercase', hmacJwt({ ...header, alg: 'hs256' }, claims, access), 'alg_mismatch'],
    ['an unknown kid', hmacJwt({ ...header, kid: 'made-up' }, claims, access), 'unknown_kid'],
    [
      'no kid (the document example header)',
      hmacJwt({ alg: 'HS256', typ: 'JWT' }, claims, access),
      'unknown_kid',
    ],
    ['jku', hmacJwt({ ...header, jku: 'https://evil.example/jwks' }, claims, access), 'forbidden_header'],
    [
      'embedded jwk',
      hmacJwt({ ...header, jwk: { kty: 'oct', k: 'AAAA' } }, claims, access),
      'forbidden_header',
    ],
    ['typ at+jwt', hmacJwt({ ...header, typ: 'at+jwt' }, claims, access), 'wrong_typ'],
    ['an extra iat claim', hmacJwt(header, { ...claims, iat: nowS(d) }, access), 'bad_claims'],
    ['authorized false', hmacJwt(header, { ...claims, authorized: false }, access), 'bad_claims'],
    ['chat_id as a string', hmacJwt(header, { ...claims, chat_id: '3546223' }, access), 'bad_claims'],
    ['no username', hmacJwt(header, { ...claims, username: undefined }, access), 'bad_claims'],
    ['not a uuid', hmacJwt(header, { ...claims, access_uuid: 'abc' }, access), 'bad_claims'],
    ['a JSON array payload', hmacJwt(header, [claims], access), 'malformed'],
  ];
  for (const [what, token, reason] of cases) {
    t.strictSame(await d.adminTelegram.verify(token, 'access'), { ok: false, reason }, what);
    t.strictSame(await d.introspection.introspect(token), { active: false }, `${what}: inactive`);
    t.strictSame(await d.introspection.revoke(token), { revoked: false }, `${what}: nothing revoked`);
  }
  t.equal((await d.introspection.introspect(pair.access_token)).active, true, 'the genuine session lives on');
  t.strictSame(d.events.published, []);
});

t.test('an access session honours only its own token', async (t) => {
  const d = await buildDomain();
  const pair = await d.adminTelegram.issue(STAFF);
  const claims = decodeJwt(pair.access_token);
  // Same uuid, another exp: correctly signed, but not the token the session was made for.
  const twin = hmacJwt(
    { alg: 'HS256', typ: 'JWT', kid: hsKey(d).kid },
    { ...claims, exp: (claims.exp as number) + 60 },
    subkey(d, SUBKEY_INFO.access),
  );
  t.equal((await d.adminTelegram.verify(twin, 'access')).ok, true);
  t.strictSame(await d.introspection.introspect(twin), { active: false });
  t.strictSame(await d.introspection.revoke(twin), { revoked: false });
  t.equal((await d.introspection.introspect(pair.access_token)).active, true);
});

t.test(
  'an envelope token stays an envelope token; an admin-telegram token never verifies there',
  async (t) => {
    const d = await buildDomain();
    const envelope = await d.envelope.issue({ ...STAFF, roles: ['admin'] });
    t.equal((await d.introspection.introspect(envelope.token)).profile, 'envelope');
    t.strictSame(await d.adminTelegram.verify(envelope.token, 'access'), {
      ok: false,
      reason: 'unknown_kid',
    });
    const pair = await d.adminTelegram.issue(STAFF);
    t.strictSame(await d.envelope.verify(pair.access_token), { ok: false, reason: 'unknown_kid' });
  },
);

t.test('RFC 7009 revoke of either token kills the family', async (t) => {
  const d = await buildDomain();
  const a = await d.adminTelegram.issue(STAFF);
  t.strictSame(await d.introspection.revoke(a.access_token), { revoked: true });
  t.strictSame(await d.introspection.introspect(a.access_token), { active: false });
  t.strictSame(await d.introspection.introspect(a.refresh_token), { active: false });
  await t.rejects(d.adminTelegram.refresh(a.refresh_token), { code: 'invalid_token' });
  t.strictSame(await d.introspection.revoke(a.access_token), { revoked: false }, 'only once');

  const b = await d.adminTelegram.issue(STAFF);
  d.events.published.length = 0;
  t.strictSame(await d.introspection.revoke(b.refresh_token), { revoked: true });
  t.strictSame(await d.introspection.introspect(b.access_token), { active: false });
  await t.rejects(d.adminTelegram.refresh(b.refresh_token), { code: 'invalid_token' });
  t.strictSame(d.events.published, [
    { jti: tokenId(b.access_token), profile: 'admin-telegram', exp: decodeJwt(b.access_token).exp },
  ]);
  t.equal(d.adminTelegramStore.families.size, 0);
  t.equal(d.adminTelegramStore.sessions.size, 0);
});

t.test('rotating the HS256 key: old tokens keep verifying, new ones use the new key', async (t) => {
  const d = await buildDomain();
  const before = await d.adminTelegram.issue(STAFF);
  const rsKid = d.keyRing.signing().kid;
  const rotated = await d.keys.rotate('HS256');
  await d.keyRing.reload();
  t.equal(d.keyRing.signing().kid, rsKid, 'the RS256 key is untouched');
  const after = await d.adminTelegram.issue(STAFF);
  t.equal(decodeProtectedHeader(after.access_token).kid, rotated.kid);
  t.not(decodeProtectedHeader(before.access_token).kid, rotated.kid);
  t.equal(
    (await d.introspection.introspect(before.access_token)).active,
    true,
    'signed with the retiring key',
  );
  const renewed = await d.adminTelegram.refresh(before.refresh_token);
  t.equal(decodeProtectedHeader(renewed.refresh_token).kid, rotated.kid, 'refresh re-signs with the new key');
  t.strictSame(
    d.keyRing.publicJwks().map((k) => k.kty),
    ['RSA'],
    'HMAC keys are never published',
  );
});

t.test('Redis down: introspection fails closed, refresh and issue answer unavailable', async (t) => {
  const d = await buildDomain();
  const pair = await d.adminTelegram.issue(STAFF);
  d.outage.down = true;
  await t.rejects(d.introspection.introspect(pair.access_token), { code: 'unavailable' });
  await t.rejects(d.adminTelegram.refresh(pair.refresh_token), { code: 'unavailable' });
  await t.rejects(d.adminTelegram.issue(STAFF), { code: 'unavailable' });
  await t.rejects(d.introspection.revoke(pair.access_token), { code: 'unavailable' });
  d.outage.down = false;
  t.equal((await d.introspection.introspect(pair.access_token)).active, true, 'nothing changed');
});
