import t from 'tap';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { tokenId } from '@propusk/contracts';
import { SUBKEY_INFO } from '../src/authorization/keys.js';
import { deriveHmacKey } from '../src/keys/hmac.js';
import {
  ANDREJ,
  AUTHZ_ACCESS_TTL_S,
  AUTHZ_REFRESH_TTL_S,
  buildDomain,
  STAFF,
  type Domain,
} from './fixtures/domain.js';
import { hmacJwt, masterSecret, rfc5869, rsaJwt } from './fixtures/forge.js';

/**
 * authorization (document 002) on fake stores and a manual clock: the tokens' exact shape
 * (decoded from the document's example), lifetimes, refresh, introspection, revocation, and
 * the attacks on HS256 JWTs — above all, admin-telegram's HS256 tokens and these never mix.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Document 002's example access and refresh tokens (registration answer). */
const DOC_ACCESS =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX25hbWUiOiJhbmRyZWdtZWR2ZWRldjI3MTNAZ21haWwuY29tIiwiaGVhZGVyIjp7ImFsZyI6IkhTMjU2IiwidHlwIjoiSldUIiwidXVpZCI6ImMwMTM4NDYxLWY5YjUtNDI1NS04OTI1LTg1YzI2NjMxYThjZiJ9LCJleHAiOjE3MzkyMzAxOTQsIm1vZGUiOiJhY2Nlc3NfdG9rZW4ifQ.SgqAnJSa2yqf6Wevwt44RK2rJ9q9SfKd5fbQ9JhWslI';
const DOC_REFRESH =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX25hbWUiOiJhbmRyZWdtZWR2ZWRldjI3MTNAZ21haWwuY29tIiwiaGVhZGVyIjp7ImFsZyI6IkhTMjU2IiwidHlwIjoiSldUIiwidXVpZCI6ImVmNTg2MjdjLWQwMmUtNDRmOS05ZmQzLTMzNzYyNzQ4ZjdhMSJ9LCJleHAiOjE3MzkyNDA5OTQsIm1vZGUiOiJyZWZyZXNoX3Rva2VuIn0.miwX5cHKF_ZykUMTOJ66gujbsTTtJKhQQBzZmyDknPQ';

function nowS(d: Domain): number {
  return Math.floor(d.clock.now() / 1000);
}

function hsKey(d: Domain) {
  return d.keyStore.keys.find((k) => k.alg === 'HS256' && k.status === 'active')!;
}

function subkey(d: Domain, info: string): Buffer {
  return rfc5869(masterSecret(hsKey(d)), info);
}

/** The shape of a payload: member names at every level, in order. */
function shape(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return typeof v;
  return Object.entries(v).map(([k, x]) => [k, shape(x)]);
}

t.test('issue: the payload is exactly document 002 example’s, HS256 with kid, 1 h and 4 h', async (t) => {
  const d = await buildDomain();
  const issuedAt = nowS(d);
  const pair = await d.authorization.issue(ANDREJ);
  t.strictSame(Object.keys(pair), ['access', 'refresh']);
  const kid = hsKey(d).kid;
  for (const token of [pair.access, pair.refresh]) {
    t.strictSame(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT', kid });
  }
  const access = decodeJwt(pair.access);
  const refresh = decodeJwt(pair.refresh);
  t.strictSame(shape(access), shape(decodeJwt(DOC_ACCESS)), 'access: the example’s members, in order');
  t.strictSame(shape(refresh), shape(decodeJwt(DOC_REFRESH)), 'refresh: the example’s members, in order');
  const accessUuid = (access.header as { uuid: string }).uuid;
  const refreshUuid = (refresh.header as { uuid: string }).uuid;
  t.match(accessUuid, UUID);
  t.match(refreshUuid, UUID);
  t.not(accessUuid, refreshUuid);
  t.strictSame(access, {
    user_name: 'andrejmedvedev2713@gmail.com',
    header: { alg: 'HS256', typ: 'JWT', uuid: accessUuid },
    exp: issuedAt + 3600,
    mode: 'access_token',
  });
  t.strictSame(refresh, {
    user_name: 'andrejmedvedev2713@gmail.com',
    header: { alg: 'HS256', typ: 'JWT', uuid: refreshUuid },
    exp: issuedAt + 4 * 3600,
    mode: 'refresh_token',
  });
  const docGap = decodeJwt(DOC_REFRESH).exp! - decodeJwt(DOC_ACCESS).exp!;
  t.equal(refresh.exp! - access.exp!, docGap, 'the refresh outlives the access by 3 h, as in the example');
  t.equal(AUTHZ_ACCESS_TTL_S, 3600);
  t.equal(AUTHZ_REFRESH_TTL_S, 14_400);

  // Each token verifies under its own HKDF subkey (RFC 5869, computed independently), and only that.
  const options = { algorithms: ['HS256'], currentDate: new Date(d.clock.now()) };
  t.ok(await jwtVerify(pair.access, subkey(d, 'propusk authorization access'), options));
  t.ok(await jwtVerify(pair.refresh, subkey(d, 'propusk authorization refresh'), options));
  await t.rejects(jwtVerify(pair.access, masterSecret(hsKey(d)), options), 'never the master secret');
  await t.rejects(jwtVerify(pair.access, subkey(d, 'propusk admin-telegram access'), options));
  await t.rejects(jwtVerify(pair.refresh, subkey(d, 'propusk authorization access'), options));
});

t.test('HKDF info: distinct from admin-telegram’s', async (t) => {
  t.strictSame(SUBKEY_INFO, {
    access: 'propusk authorization access',
    refresh: 'propusk authorization refresh',
  });
  const secret = new Uint8Array(32).fill(9);
  const keys = [
    'propusk authorization access',
    'propusk authorization refresh',
    'propusk admin-telegram access',
    'propusk admin-telegram refresh',
  ].map((info) => Buffer.from(deriveHmacKey(secret, info)).toString('hex'));
  t.equal(new Set(keys).size, 4);
});

t.test('introspection: access and refresh tokens with the account', async (t) => {
  const d = await buildDomain();
  const pair = await d.authorization.issue({ ...ANDREJ, roles: ['staff', 'staff'] });
  const access = decodeJwt(pair.access);
  const refresh = decodeJwt(pair.refresh);
  t.strictSame(await d.introspection.introspect(pair.access), {
    active: true,
    sub: ANDREJ.accountId,
    username: 'andrejmedvedev2713@gmail.com',
    profile: 'authorization',
    token_type: 'access_token',
    roles: ['staff'],
    jti: (access.header as { uuid: string }).uuid,
    exp: access.exp,
  });
  t.strictSame(await d.introspection.introspect(pair.refresh), {
    active: true,
    sub: ANDREJ.accountId,
    username: 'andrejmedvedev2713@gmail.com',
    profile: 'authorization',
    token_type: 'refresh_token',
    roles: ['staff'],
    jti: (refresh.header as { uuid: string }).uuid,
    exp: refresh.exp,
  });
});

t.test('refresh: a new access token and the e-mail; the refresh token stays', async (t) => {
  const d = await buildDomain();
  const pair = await d.authorization.issue(ANDREJ);
  d.clock.advance(600_000);
  const r = await d.authorization.refresh(pair.refresh);
  t.strictSame(Object.keys(r), ['access', 'email']);
  t.equal(r.email, 'andrejmedvedev2713@gmail.com');
  const fresh = decodeJwt(r.access);
  t.equal(fresh.mode, 'access_token');
  t.equal(fresh.exp, nowS(d) + 3600);
  t.not((fresh.header as { uuid: string }).uuid, (decodeJwt(pair.access).header as { uuid: string }).uuid);
  t.ok(await d.authorization.live(r.access, ['access']), 'the new access token is live');
  t.ok(await d.authorization.live(pair.access, ['access']), 'the first one too');
  const again = await d.authorization.refresh(pair.refresh);
  t.ok(await d.authorization.live(again.access, ['access']), 'the refresh token can be used again');
  t.strictSame(d.events.published, []);
});

t.test('lifetimes on the clock; an access token never outlives its refresh token', async (t) => {
  const d = await buildDomain();
  const pair = await d.authorization.issue(ANDREJ);
  d.clock.advance(3599_000);
  t.ok(await d.authorization.live(pair.access, ['access']), '1 s before exp');
  d.clock.advance(1000);
  t.equal(await d.authorization.live(pair.access, ['access']), undefined, 'at exp: dead (no leeway)');
  t.strictSame(await d.authorization.verify(pair.access, 'access'), { ok: false, reason: 'expired' });
  d.clock.advance(2 * 3600_000 + 1800_000); // 30 minutes left on the refresh token
  const late = await d.authorization.refresh(pair.refresh);
  t.equal(decodeJwt(late.access).exp, decodeJwt(pair.refresh).exp, 'capped at the refresh token’s exp');
  d.clock.advance(1800_000);
  await t.rejects(d.authorization.refresh(pair.refresh), { code: 'invalid_token' }, 'refresh expired');
  t.equal(await d.authorization.live(late.access, ['access']), undefined);
});

t.test('kinds never mix: a refresh token is no access token and the other way round', async (t) => {
  const d = await buildDomain();
  const pair = await d.authorization.issue(ANDREJ);
  t.equal(await d.authorization.live(pair.refresh, ['access']), undefined);
  t.strictSame(await d.authorization.verify(pair.refresh, 'access'), { ok: false, reason: 'bad_signature' });
  await t.rejects(d.authorization.refresh(pair.access), { code: 'invalid_token' });
  // The right subkey, the wrong mode: still refused (claims are checked per kind too).
  const claims = decodeJwt(pair.access);
  const forged = hmacJwt(
    { alg: 'HS256', typ: 'JWT', kid: hsKey(d).kid },
    { ...claims, mode: 'refresh_token' },
    subkey(d, 'propusk authorization refresh'),
  );
  t.strictSame(await d.authorization.verify(forged, 'refresh'), {
    ok: true,
    kind: 'refresh',
    claims: { ...claims, mode: 'refresh_token' },
  });
  await t.rejects(
    d.authorization.refresh(forged),
    { code: 'invalid_token' },
    'no session under an access uuid',
  );
});

t.test('admin-telegram and authorization tokens never pass as each other', async (t) => {
  const d = await buildDomain();
  const admin = await d.adminTelegram.issue(STAFF);
  const authz = await d.authorization.issue(ANDREJ);
  for (const [token, kind] of [
    [admin.access_token, 'access'],
    [admin.refresh_token, 'refresh'],
  ] as const) {
    t.strictSame(await d.authorization.verify(token, kind), { ok: false, reason: 'bad_signature' });
    t.equal(await d.authorization.live(token), undefined);
  }
  await t.rejects(d.authorization.refresh(admin.refresh_token), { code: 'invalid_token' });
  for (const [token, kind] of [
    [authz.access, 'access'],
    [authz.refresh, 'refresh'],
  ] as const) {
    t.strictSame(await d.adminTelegram.verify(token, kind), { ok: false, reason: 'bad_signature' });
  }
  await t.rejects(d.adminTelegram.refresh(authz.refresh), { code: 'invalid_token' });
  t.equal((await d.introspection.introspect(admin.access_token)).profile, 'admin-telegram');
  t.equal((await d.introspection.introspect(authz.access)).profile, 'authorization');

  // Document 002's claims signed with admin-telegram's subkeys (or the master secret): refused.
  const header = { alg: 'HS256', typ: 'JWT', kid: hsKey(d).kid };
  const claims = decodeJwt(authz.access);
  for (const [what, key] of [
    ['admin-telegram access subkey', subkey(d, 'propusk admin-telegram access')],
    ['admin-telegram refresh subkey', subkey(d, 'propusk admin-telegram refresh')],
    ['the master secret', masterSecret(hsKey(d))],
  ] as const) {
    const token = hmacJwt(header, claims, key);
    t.strictSame(await d.authorization.verify(token, 'access'), { ok: false, reason: 'bad_signature' }, what);
    t.strictSame(await d.introspection.introspect(token), { active: false }, `${what}: inactive`);
  }
  const control = hmacJwt(header, claims, subkey(d, 'propusk authorization access'));
  t.equal(control, authz.access, 'control: the right subkey gives the genuine token');
});

t.test('attacks on HS256: RS256, none, HS512, foreign headers, the example’s kid-less header', async (t) => {
  const d = await buildDomain();
  const pair = await d.authorization.issue(ANDREJ);
  const kid = hsKey(d).kid;
  const header = { alg: 'HS256', typ: 'JWT', kid };
  const rs = d.keyStore.keys.find((k) => k.alg === 'RS256' && k.status === 'active')!;
  const claims = decodeJwt(pair.access);
  const access = subkey(d, 'propusk authorization access');
  const cases: Array<[string, string, string]> = [
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
    ['HS512', hmacJwt({ ...header, alg: 'HS512' }, claims, access, 512), 'alg_mismatch'],
    [
      'no kid (the document example header)',
      hmacJwt({ alg: 'HS256', typ: 'JWT' }, claims, access),
      'unknown_kid',
    ],
    ['jku', hmacJwt({ ...header, jku: 'https://evil.example/jwks' }, claims, access), 'forbidden_header'],
    ['typ at+jwt', hmacJwt({ ...header, typ: 'at+jwt' }, claims, access), 'wrong_typ'],
    ['an extra iat claim', hmacJwt(header, { ...claims, iat: nowS(d) }, access), 'bad_claims'],
    [
      'payload header alg none',
      hmacJwt(
        header,
        { ...claims, header: { alg: 'none', typ: 'JWT', uuid: (claims.header as { uuid: string }).uuid } },
        access,
      ),
      'bad_claims',
    ],
    [
      'payload header with an extra member',
      hmacJwt(header, { ...claims, header: { ...(claims.header as object), kid } }, access),
      'bad_claims',
    ],
    [
      'payload uuid not a uuid',
      hmacJwt(header, { ...claims, header: { alg: 'HS256', typ: 'JWT', uuid: 'x' } }, access),
      'bad_claims',
    ],
    ['mode missing', hmacJwt(header, { ...claims, mode: undefined }, access), 'bad_claims'],
    ['empty user_name', hmacJwt(header, { ...claims, user_name: '' }, access), 'bad_claims'],
    ['exp as a string', hmacJwt(header, { ...claims, exp: String(claims.exp) }, access), 'bad_claims'],
    ['a JSON array payload', hmacJwt(header, [claims], access), 'malformed'],
  ];
  for (const [what, token, reason] of cases) {
    t.strictSame(await d.authorization.verify(token, 'access'), { ok: false, reason }, what);
    t.strictSame(await d.introspection.introspect(token), { active: false }, `${what}: inactive`);
    t.strictSame(await d.introspection.revoke(token), { revoked: false }, `${what}: nothing revoked`);
  }
  // Valid signature and claims, but not a token we issued (another user_name under a made-up uuid).
  const minted = hmacJwt(
    header,
    {
      ...claims,
      user_name: 'evil@example.com',
      header: { alg: 'HS256', typ: 'JWT', uuid: '11111111-2222-4333-8444-555555555555' },
    },
    access,
  );
  t.equal((await d.authorization.verify(minted, 'access')).ok, true, 'the subkey is right');
  t.equal(await d.authorization.live(minted), undefined, 'but no such token was issued');
  t.equal((await d.introspection.introspect(pair.access)).active, true, 'the genuine token lives on');
  t.strictSame(d.events.published, []);
});

t.test(
  'RFC 7009: an access token alone; a refresh token ends its session with every access token',
  async (t) => {
    const d = await buildDomain();
    const pair = await d.authorization.issue(ANDREJ);
    const second = await d.authorization.refresh(pair.refresh);
    t.strictSame(await d.introspection.revoke(pair.access), { revoked: true });
    t.equal(await d.authorization.live(pair.access), undefined);
    t.ok(await d.authorization.live(second.access), 'the other access token lives');
    t.strictSame(d.events.published, [
      { jti: tokenId(pair.access), profile: 'authorization', exp: decodeJwt(pair.access).exp },
    ]);
    t.strictSame(await d.introspection.revoke(pair.access), { revoked: false }, 'twice: false');

    t.strictSame(await d.introspection.revoke(pair.refresh), { revoked: true });
    for (const token of [pair.refresh, second.access]) {
      t.strictSame(await d.introspection.introspect(token), { active: false });
    }
    await t.rejects(d.authorization.refresh(pair.refresh), { code: 'invalid_token' });
    const exp = (token: string) => decodeJwt(token).exp!;
    t.strictSame(
      d.events.published.slice(1),
      [
        { jti: tokenId(pair.refresh), profile: 'authorization', exp: exp(pair.refresh) },
        { jti: tokenId(second.access), profile: 'authorization', exp: exp(second.access) },
      ],
      'the refresh token and the live access token of the session',
    );
    t.strictSame(await d.introspection.revoke(pair.refresh), { revoked: false });
  },
);

t.test('a refresh racing the end of its session: the new access token is never handed out', async (t) => {
  const d = await buildDomain();
  const pair = await d.authorization.issue(ANDREJ);
  const addAccess = d.authorizationStore.addAccess;
  d.authorizationStore.addAccess = async (sessionId, grant) => {
    await d.authorization.endSession(sessionId); // ended between the check and the write
    return addAccess(sessionId, grant);
  };
  await t.rejects(d.authorization.refresh(pair.refresh), { code: 'invalid_token' });
});

t.test('rotating the HS256 key: old tokens keep verifying, new ones use the new key', async (t) => {
  const d = await buildDomain();
  const before = await d.authorization.issue(ANDREJ);
  const rotated = await d.keys.rotate('HS256');
  await d.keyRing.reload();
  const after = await d.authorization.issue(ANDREJ);
  t.equal(decodeProtectedHeader(after.access).kid, rotated.kid);
  t.ok(await d.authorization.live(before.access));
  const r = await d.authorization.refresh(before.refresh);
  t.equal(
    decodeProtectedHeader(r.access).kid,
    rotated.kid,
    'a refresh of an old session signs with the new key',
  );
  t.ok(await d.authorization.live(r.access));
});

t.test('Redis down: introspection and refresh fail closed with unavailable', async (t) => {
  const d = await buildDomain();
  const pair = await d.authorization.issue(ANDREJ);
  d.outage.down = true;
  await t.rejects(d.introspection.introspect(pair.access), { code: 'unavailable' });
  await t.rejects(d.authorization.live(pair.access, ['access']), { code: 'unavailable' });
  await t.rejects(d.authorization.refresh(pair.refresh), { code: 'unavailable' });
  await t.rejects(d.authorization.issue(ANDREJ), { code: 'unavailable' });
});
