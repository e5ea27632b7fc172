// Profile v2 (document 003): local verification of its RS256 `at+jwt` tokens (RFC 9068, RFC 8725),
// kept apart from document 001's tokens signed with the same keys, and revocation through the
// real authenticator.
import t from 'tap';
import { exportSPKI } from 'jose';
import { tokenId } from '@propusk/contracts';
import { ConfigError, loadConfig } from '@propusk/kit';
import { createAuthenticator } from '../src/auth/authenticator.js';
import { createVerifiedCache } from '../src/auth/cache.js';
import { AuthError } from '../src/auth/errors.js';
import type { VerifiedToken } from '../src/auth/identity.js';
import { createKeySet } from '../src/auth/jwks.js';
import { createRevocationList } from '../src/auth/revocation.js';
import { envelopeStrategy, v2Strategy } from '../src/auth/strategies.js';
import { GATEWAY_SETTINGS } from '../src/settings.js';
import {
  hs256,
  makeKey,
  nowS,
  rawJws,
  signEnvelope,
  signV2,
  silentLog,
  unsigned,
  V2_ACCOUNT,
  V2_ISSUER,
  v2Claims,
} from './fixtures/jwt.js';

// RSA key generation is the slow part: one set of keys for every test.
const KEYS = Promise.all([makeKey('kid-1'), makeKey('kid-2'), makeKey('kid-1') /* same kid, not ours */]);

async function setup() {
  const [key, other, attacker] = await KEYS;
  const keys = createKeySet({
    source: async () => ({ keys: [key.publicJwk, other.publicJwk] as Array<Record<string, unknown>> }),
    log: silentLog,
  });
  return {
    key,
    other,
    attacker,
    v2: v2Strategy(keys, V2_ISSUER),
    envelope: envelopeStrategy(keys, 'digeocache'),
  };
}

interface Asserts {
  ok(value: unknown, message: string): unknown;
}

async function refused(t: Asserts, p: Promise<unknown>, what: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(
    err instanceof AuthError && err.reason === 'invalid',
    `${what}: refused as invalid${err instanceof AuthError ? ` (${err.detail})` : ''}`,
  );
}

t.test('a token as the token service signs it verifies; Bearer or bare, reused at most 60 s', async (t) => {
  const { key, other, v2 } = await setup();
  t.same(v2.schemes, ['bearer']);
  t.equal(v2.bare, true, 'document 003 shows the header as the bare JWT');
  t.ok(v2.cacheTtlMs !== undefined && v2.cacheTtlMs <= 60_000, `cache ${v2.cacheTtlMs} ms`);
  const iat = nowS();
  const token = await signV2(key, { iat, exp: iat + 86_400 });
  t.same(await v2.verify(token), {
    subject: V2_ACCOUNT,
    // The token names no username: the account id stands in for it.
    username: V2_ACCOUNT,
    roles: [],
    profile: 'v2',
    tokenId: tokenId(token),
    expiresAtMs: (iat + 86_400) * 1000,
  });
  t.match(
    await v2.verify(await signV2(other, {}, { kid: 'kid-2' })),
    { profile: 'v2' },
    'any key of the set',
  );
});

t.test('a document 001 token never passes as v2, a v2 token never as 001', async (t) => {
  const { key, v2, envelope } = await setup();
  await refused(t, v2.verify(await signEnvelope(key)), '001 token as v2');
  await refused(t, v2.verify(await signEnvelope(key, { iss: V2_ISSUER })), '001 token with the v2 issuer');
  await refused(
    t,
    v2.verify(await signEnvelope(key, { iss: V2_ISSUER }, { typ: 'at+jwt' })),
    '001 claims under the v2 typ',
  );
  const v2Token = await signV2(key);
  t.ok(await v2.verify(v2Token), 'the v2 token itself is fine');
  await refused(t, envelope.verify(v2Token), 'v2 token as 001');
  await refused(t, envelope.verify(await signV2(key, { iss: 'digeocache' })), 'v2 token with the 001 issuer');
  await refused(
    t,
    envelope.verify(await signV2(key, { iss: 'digeocache' }, { typ: 'JWT' })),
    'v2 claims under typ JWT',
  );
});

t.test('header typ must be exactly at+jwt (RFC 9068 §4)', async (t) => {
  const { key, v2 } = await setup();
  for (const typ of ['JWT', 'jwt', 'at+JWT', 'application/at+jwt', 'rt+jwt', '']) {
    await refused(t, v2.verify(await signV2(key, {}, { typ })), `typ ${JSON.stringify(typ)}`);
  }
  await refused(t, v2.verify(await signV2(key, {}, { typ: undefined })), 'no typ');
});

t.test('aud must be the single string propusk:v2', async (t) => {
  const { key, v2 } = await setup();
  for (const aud of ['propusk:v1', 'propusk', '', ['propusk:v2'], ['propusk:v2', 'other']]) {
    await refused(t, v2.verify(await signV2(key, { aud })), `aud ${JSON.stringify(aud)}`);
  }
  await refused(t, v2.verify(await signV2(key, { aud: undefined })), 'no aud');
});

t.test('iss must be the v2 issuer', async (t) => {
  const { key, v2 } = await setup();
  for (const iss of ['digeocache', `${V2_ISSUER}/`, 'https://evil.example']) {
    await refused(t, v2.verify(await signV2(key, { iss })), `iss ${iss}`);
  }
  await refused(t, v2.verify(await signV2(key, { iss: undefined })), 'no iss');
});

t.test('claims exactly iss, sub, aud, jti, iat, exp', async (t) => {
  const { key, v2 } = await setup();
  for (const [what, over] of [
    ['extra username', { username: 'u' }],
    ['extra admin', { admin: true }],
    ['extra nbf', { nbf: nowS() - 10 }],
    ['extra scope', { scope: 'openid' }],
    ['a 002 mode', { mode: 'access_token' }],
    ['no sub', { sub: undefined }],
    ['empty sub', { sub: '' }],
    ['numeric sub', { sub: 42 }],
    ['no jti', { jti: undefined }],
    ['numeric jti', { jti: 7 }],
    ['no iat', { iat: undefined }],
    ['no exp', { exp: undefined }],
    ['string exp', { exp: String(nowS() + 600) }],
  ] as const) {
    await refused(t, v2.verify(await signV2(key, over as Record<string, unknown>)), what);
  }
});

t.test('expired beyond the 30 s leeway', async (t) => {
  const { key, v2 } = await setup();
  await refused(t, v2.verify(await signV2(key, { iat: nowS() - 90_000, exp: nowS() - 60 })), 'expired');
  t.ok(await v2.verify(await signV2(key, { exp: nowS() - 5 })), 'within the leeway');
});

t.test("alg none, HS256 with the public key, an alg other than the key's", async (t) => {
  const { key, v2 } = await setup();
  for (const alg of ['none', 'None', 'NONE']) {
    await refused(t, v2.verify(unsigned({ alg, typ: 'at+jwt', kid: 'kid-1' }, v2Claims())), `alg ${alg}`);
  }
  const pem = await exportSPKI(key.publicKey);
  for (const [what, secret] of [
    ['PEM', pem],
    ['JWK JSON', JSON.stringify(key.publicJwk)],
    ['modulus', Buffer.from(String(key.publicJwk.n), 'base64url')],
  ] as const) {
    await refused(
      t,
      v2.verify(rawJws({ alg: 'HS256', typ: 'at+jwt', kid: 'kid-1' }, v2Claims(), hs256(secret))),
      `HS256 with the public key as ${what}`,
    );
  }
  await refused(
    t,
    v2.verify(rawJws({ alg: 'RS512', typ: 'at+jwt', kid: 'kid-1' }, v2Claims(), () => 'c2ln')),
    'RS512 on an RS256 key',
  );
});

t.test('foreign kid, jku, jwk, x5u: keys come from the token service only', async (t) => {
  const { key, other, attacker, v2 } = await setup();
  await refused(t, v2.verify(await signV2(attacker)), 'an attacker key under our kid');
  await refused(t, v2.verify(await signV2(await makeKey('kid-unknown'))), 'an unknown kid');
  await refused(t, v2.verify(await signV2(key, {}, { kid: undefined })), 'no kid');
  await refused(t, v2.verify(await signV2(other, {}, { kid: 'kid-1' })), 'our other key under the wrong kid');
  for (const [what, extra] of [
    ['jku', { jku: 'https://evil.example/jwks.json' }],
    ['jwk', { jwk: attacker.publicJwk }],
    ['x5u', { x5u: 'https://evil.example/cert.pem' }],
  ] as const) {
    await refused(t, v2.verify(await signV2(key, {}, extra)), `${what}, signed by our key`);
    await refused(t, v2.verify(await signV2(attacker, {}, extra)), `${what}, signed by the attacker`);
  }
});

t.test('through the authenticator: Bearer or bare, revocation by event and by Redis record', async (t) => {
  const { key, v2 } = await setup();
  const revokedInRedis = new Set<string>();
  const auth = createAuthenticator({
    strategies: { v2 },
    revocations: createRevocationList({ exists: async (k) => revokedInRedis.has(k) }),
    cache: createVerifiedCache<VerifiedToken>({ max: 100 }),
    cacheTtlMs: 30_000,
  });
  const token = await signV2(key);
  t.match(await auth.authenticate('v2', `Bearer ${token}`), {
    kind: 'verified',
    identity: { profile: 'v2', subject: V2_ACCOUNT },
  });
  t.match(await auth.authenticate('v2', `Token ${token}`), { kind: 'rejected', reason: 'missing' });
  t.match(
    await auth.authenticate('v2', token),
    { kind: 'verified', identity: { profile: 'v2', subject: V2_ACCOUNT } },
    'no scheme: the bare JWT of document 003',
  );
  t.match(await auth.authenticate('v2', 'garbage'), { kind: 'rejected', reason: 'invalid' }, 'bare garbage');
  t.match(await auth.authenticate('v2', `Bearer ${await signEnvelope(key)}`), {
    kind: 'rejected',
    reason: 'invalid',
  });

  // A revocation event (the token service's signout) ends a cached verification at once.
  auth.revoked({ jti: tokenId(token), profile: 'v2', exp: nowS() + 86_400 });
  t.match(await auth.authenticate('v2', `Bearer ${token}`), { kind: 'rejected', reason: 'invalid' });
  t.match(await auth.authenticate('v2', token), { kind: 'rejected', reason: 'invalid' }, 'bare too');

  // A record in Redis (events missed) refuses a token not yet verified here.
  const second = await signV2(key, { jti: '0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b' });
  revokedInRedis.add(`revoked:${tokenId(second)}`);
  t.match(await auth.authenticate('v2', `Bearer ${second}`), {
    kind: 'rejected',
    reason: 'invalid',
    detail: 'revoked',
  });
});

t.test('V2_ISSUER: unset means the caller falls back (PUBLIC_BASE_URL); set, it is used', async (t) => {
  t.equal(loadConfig(GATEWAY_SETTINGS, {}).V2_ISSUER, undefined);
  t.equal(loadConfig(GATEWAY_SETTINGS, { V2_ISSUER: 'https://id.example' }).V2_ISSUER, 'https://id.example');
  t.throws(() => loadConfig(GATEWAY_SETTINGS, { V2_ISSUER: 'has space' }), ConfigError);
});
