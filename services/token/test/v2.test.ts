import t from 'tap';
import { createHmac } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  importJWK,
  jwtVerify,
  type CryptoKey,
} from 'jose';
import { tokenId } from '@propusk/contracts';
import {
  ALICE,
  ANDREJ,
  asIssued,
  buildDomain,
  STAFF,
  V2_ISSUER,
  V2_TTL_S,
  type Domain,
} from './fixtures/domain.js';
import { b64, hmacJwt, rsaJwt } from './fixtures/forge.js';

/** v2 (document 003): RFC 9068 JWT access tokens, RS256 with the key ring's keys. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function ourKey(d: Domain) {
  return d.keyStore.keys.find((k) => k.alg === 'RS256' && k.status === 'active')!;
}

function v2Claims(d: Domain, over: Record<string, unknown> = {}) {
  const iat = Math.floor(d.clock.now() / 1000);
  return {
    iss: V2_ISSUER,
    sub: ALICE.accountId,
    aud: 'propusk:v2',
    jti: '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
    iat,
    exp: iat + 600,
    ...over,
  };
}

/** The one assertion the helper needs (tap's Test type is plugin-built and awkward to name). */
interface Asserts {
  strictSame(found: unknown, wanted: unknown, message: string): boolean;
}

async function expectRefused(t: Asserts, d: Domain, token: string, reason: string, what: string) {
  t.strictSame(await d.v2.verify(token), { ok: false, reason }, `${what}: refused as ${reason}`);
  t.strictSame(await d.introspection.introspect(token), { active: false }, `${what}: inactive`);
  t.strictSame(await d.introspection.revoke(token), { revoked: false }, `${what}: nothing to revoke`);
}

t.test('v2 issue: RS256, typ at+jwt, kid; claims exactly iss, sub, aud, jti, iat, exp', async (t) => {
  const d = await buildDomain();
  const iat = Math.floor(d.clock.now() / 1000);
  const { token, claims } = await d.v2.issue(ALICE);
  t.strictSame(decodeProtectedHeader(token), { alg: 'RS256', typ: 'at+jwt', kid: d.keyRing.signing().kid });
  const payload = decodeJwt(token);
  t.strictSame(Object.keys(payload), ['iss', 'sub', 'aud', 'jti', 'iat', 'exp']);
  t.strictSame(payload, {
    iss: 'http://127.0.0.1:8080',
    sub: ALICE.accountId,
    aud: 'propusk:v2',
    jti: payload.jti,
    iat,
    exp: iat + 86_400,
  });
  t.match(payload.jti, UUID, 'jti is a fresh v4 uuid');
  t.strictSame(claims, payload);
  t.not(decodeJwt((await d.v2.issue(ALICE)).token).jti, payload.jti, 'one jti per token');
  // Any RFC 9068 resource server accepts it with the published keys.
  const verified = await jwtVerify(token, createLocalJWKSet({ keys: d.keyRing.publicJwks() }), {
    algorithms: ['RS256'],
    issuer: V2_ISSUER,
    audience: 'propusk:v2',
    typ: 'at+jwt',
    currentDate: new Date(d.clock.now()),
  });
  t.equal(verified.payload.sub, ALICE.accountId);
});

t.test('v2 issuer follows the setting', async (t) => {
  const d = await buildDomain({ v2Issuer: 'https://auth.example' });
  const { token } = await d.v2.issue(ALICE);
  t.equal(decodeJwt(token).iss, 'https://auth.example');
  t.equal((await d.introspection.introspect(token)).iss, 'https://auth.example');
});

t.test(
  'v2 introspect: username from the issue, claims unchanged, fail closed without an owner',
  async (t) => {
    const d = await buildDomain();
    const { token } = await d.v2.issue({ ...STAFF, username: 'staff@example.com' });
    t.strictSame(
      Object.keys(decodeJwt(token)),
      ['iss', 'sub', 'aud', 'jti', 'iat', 'exp'],
      'claims unchanged',
    );
    t.match(await d.introspection.introspect(token), {
      active: true,
      sub: STAFF.accountId,
      username: 'staff@example.com',
      roles: ['staff'],
    });
    const { kid, privateJwk } = ourKey(d);
    const header = { alg: 'RS256', typ: 'at+jwt', kid };
    const unrecorded = rsaJwt(privateJwk, header, v2Claims(d));
    t.equal((await d.v2.verify(unrecorded)).ok, true, 'its signature and claims verify');
    t.strictSame(await d.introspection.introspect(unrecorded), { active: false }, 'no owner: inactive');
    await asIssued(d, unrecorded, STAFF);
    t.strictSame(
      await d.introspection.introspect(unrecorded),
      { active: false },
      'an owner record of another account: inactive',
    );
  },
);

t.test('v2 introspect: the RFC 7662 members; 30 s leeway at expiry', async (t) => {
  const d = await buildDomain();
  const { token, claims } = await d.v2.issue(ALICE);
  t.strictSame(await d.introspection.introspect(token), {
    active: true,
    sub: ALICE.accountId,
    username: 'staff1',
    profile: 'v2',
    token_type: 'access_token',
    roles: ['staff'],
    jti: claims.jti,
    iat: claims.iat,
    exp: claims.exp,
    iss: V2_ISSUER,
  });
  d.clock.advance((V2_TTL_S + 29) * 1000);
  t.equal((await d.introspection.introspect(token)).active, true, '29 s past exp: within the leeway');
  d.clock.advance(1000);
  t.strictSame(await d.introspection.introspect(token), { active: false }, '30 s past exp: expired');
  t.strictSame(await d.v2.verify(token), { ok: false, reason: 'expired' });
});

t.test(
  'v2 revoke (signout, RFC 7009): record until expiry, event, then inactive; twice is false',
  async (t) => {
    const d = await buildDomain();
    const { token, claims } = await d.v2.issue(ALICE);
    const other = await d.v2.issue(ALICE);
    d.clock.advance(600_000);
    t.equal(await d.v2.revoke(token), true);
    t.strictSame(await d.introspection.introspect(token), { active: false });
    t.equal(await d.v2.live(token), undefined);
    const record = d.revocationStore.entries.get(tokenId(token))!;
    t.strictSame(record.value, { jti: tokenId(token), profile: 'v2', exp: claims.exp });
    t.equal(record.ttlS, V2_TTL_S - 600 + 30, 'kept until exp plus the leeway');
    t.strictSame(d.events.published, [{ jti: tokenId(token), profile: 'v2', exp: claims.exp }]);
    t.equal(await d.v2.revoke(token), false);
    t.strictSame(await d.introspection.revoke(token), { revoked: false });
    t.equal(d.events.published.length, 1);
    t.equal(
      (await d.introspection.introspect(other.token)).active,
      true,
      'another token of the account lives',
    );
    t.strictSame(await d.introspection.revoke(other.token), { revoked: true }, 'RFC 7009 over introspection');
    t.strictSame(await d.introspection.introspect(other.token), { active: false });
    d.outage.down = true;
    await t.rejects(d.v2.live(token), { code: 'unavailable' }, 'revocation unreadable: fail closed');
  },
);

t.test('document 001 and v2 tokens share keys but never pass as each other', async (t) => {
  const d = await buildDomain();
  const { token: v2 } = await d.v2.issue(ALICE);
  const { token: envelope } = await d.envelope.issue(ALICE);
  t.strictSame(await d.envelope.verify(v2), { ok: false, reason: 'wrong_typ' }, 'envelope refuses at+jwt');
  t.strictSame(await d.v2.verify(envelope), { ok: false, reason: 'wrong_typ' }, 'v2 refuses typ JWT');
  t.equal((await d.introspection.introspect(v2)).profile, 'v2');
  t.equal((await d.introspection.introspect(envelope)).profile, 'envelope');

  // Same key, the other profile's type: the claims check refuses it too.
  const { kid, privateJwk } = ourKey(d);
  const v2ClaimsTypedJwt = rsaJwt(privateJwk, { alg: 'RS256', typ: 'JWT', kid }, v2Claims(d));
  t.strictSame(await d.envelope.verify(v2ClaimsTypedJwt), { ok: false, reason: 'bad_claims' });
  await expectRefused(t, d, v2ClaimsTypedJwt, 'wrong_typ', 'v2 claims typed JWT');
  const iat = Math.floor(d.clock.now() / 1000);
  const envelopeClaimsTypedAt = rsaJwt(
    privateJwk,
    { alg: 'RS256', typ: 'at+jwt', kid },
    { iss: 'digeocache', username: 'staff1', admin: true, iat, exp: iat + 7200 },
  );
  t.strictSame(await d.envelope.verify(envelopeClaimsTypedAt), { ok: false, reason: 'wrong_typ' });
  await expectRefused(t, d, envelopeClaimsTypedAt, 'bad_claims', 'envelope claims typed at+jwt');
});

t.test('HS256 tokens (admin-telegram, authorization) are never v2 tokens', async (t) => {
  const d = await buildDomain();
  const admin = await d.adminTelegram.issue(STAFF);
  const authz = await d.authorization.issue(ANDREJ);
  for (const token of [admin.access_token, admin.refresh_token, authz.access, authz.refresh]) {
    t.strictSame(
      await d.v2.verify(token),
      { ok: false, reason: 'unknown_kid' },
      'an HS256 kid is unknown here',
    );
  }
});

t.test('v2 claims: audience, issuer, exact set, types, time', async (t) => {
  const d = await buildDomain();
  const { kid, privateJwk } = ourKey(d);
  const header = { alg: 'RS256', typ: 'at+jwt', kid };
  const now = Math.floor(d.clock.now() / 1000);
  const cases: Array<[string, unknown, string]> = [
    ['another audience', v2Claims(d, { aud: 'propusk:v3' }), 'wrong_audience'],
    ['the audience as an array', v2Claims(d, { aud: ['propusk:v2'] }), 'bad_claims'],
    ['another issuer', v2Claims(d, { iss: 'https://evil.example' }), 'wrong_issuer'],
    ['an extra claim (scope)', v2Claims(d, { scope: 'admin' }), 'bad_claims'],
    ['an extra claim (username)', v2Claims(d, { username: 'staff1' }), 'bad_claims'],
    ['no jti', (({ jti: _j, ...rest }) => rest)(v2Claims(d)), 'bad_claims'],
    ['jti not a uuid', v2Claims(d, { jti: 'x' }), 'bad_claims'],
    ['sub not an account id', v2Claims(d, { sub: 'staff1' }), 'bad_claims'],
    ['exp as a string', v2Claims(d, { exp: String(now + 600) }), 'bad_claims'],
    ['exp before iat', v2Claims(d, { exp: now - 1 }), 'bad_claims'],
    ['expired 30 s ago', v2Claims(d, { iat: now - 630, exp: now - 30 }), 'expired'],
    ['iat 31 s in the future', v2Claims(d, { iat: now + 31, exp: now + 631 }), 'issued_in_future'],
    ['payload not an object', [1, 2], 'malformed'],
  ];
  for (const [name, payload, reason] of cases) {
    await expectRefused(t, d, rsaJwt(privateJwk, header, payload), reason, name);
  }
  const control = await asIssued(d, rsaJwt(privateJwk, header, v2Claims(d)));
  t.equal((await d.introspection.introspect(control)).active, true, 'the control token is active');
});

t.test('v2 attacks: alg none, HS256 keyed with our public key, foreign keys and headers', async (t) => {
  const d = await buildDomain();
  const { kid, privateJwk, publicJwk } = ourKey(d);
  const genuine = rsaJwt(privateJwk, { alg: 'RS256', typ: 'at+jwt', kid }, v2Claims(d));
  const sig = genuine.split('.')[2];
  for (const alg of ['none', 'None', 'NONE']) {
    const input = `${b64({ alg, typ: 'at+jwt', kid })}.${b64(v2Claims(d))}`;
    await expectRefused(t, d, `${input}.`, 'alg_mismatch', `alg ${alg}`);
    await expectRefused(t, d, `${input}.${sig}`, 'alg_mismatch', `alg ${alg} with a real signature`);
  }
  const pem = await exportSPKI((await importJWK(publicJwk, 'RS256')) as CryptoKey);
  for (const secret of [pem, JSON.stringify(d.keyRing.publicJwks()[0])]) {
    for (const alg of ['HS256', 'HS384']) {
      const input = `${b64({ alg, typ: 'at+jwt', kid })}.${b64(v2Claims(d))}`;
      const mac = createHmac(`sha${alg.slice(2)}`, secret)
        .update(input)
        .digest('base64url');
      await expectRefused(t, d, `${input}.${mac}`, 'alg_mismatch', `${alg} keyed with the public key`);
    }
  }
  // Whatever the introspection routes it to, an HS256 token with our RSA kid verifies nowhere.
  const hs = hmacJwt({ alg: 'HS256', typ: 'at+jwt', kid }, v2Claims(d), pem);
  t.strictSame(await d.introspection.introspect(hs), { active: false });
  for (const extra of [{ jku: 'https://evil.example/jwks' }, { jwk: publicJwk }, { crit: ['exp'] }]) {
    const forged = rsaJwt(privateJwk, { alg: 'RS256', typ: 'at+jwt', kid, ...extra }, v2Claims(d));
    await expectRefused(t, d, forged, 'forbidden_header', Object.keys(extra)[0]!);
  }
  await expectRefused(
    t,
    d,
    rsaJwt(privateJwk, { alg: 'RS256', typ: 'at+jwt', kid: 'attacker-key' }, v2Claims(d)),
    'unknown_kid',
    'a kid we do not have',
  );
  const [h, , s] = genuine.split('.') as [string, string, string];
  const other = b64(v2Claims(d, { sub: ANDREJ.accountId }));
  await expectRefused(t, d, `${h}.${other}.${s}`, 'bad_signature', 'another sub under the same signature');
});

t.test('v2 key rotation: a token of the retiring key verifies, new ones use the new key', async (t) => {
  const d = await buildDomain();
  const before = await d.v2.issue(ALICE);
  const rotated = await d.keys.rotate();
  await d.keyRing.reload();
  const after = await d.v2.issue(ALICE);
  t.equal(decodeProtectedHeader(after.token).kid, rotated.kid);
  t.equal((await d.introspection.introspect(before.token)).active, true);
  t.equal((await d.introspection.introspect(after.token)).active, true);
});
