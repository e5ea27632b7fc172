import t from 'tap';
import { createPublicKey, createPrivateKey, type KeyObject } from 'node:crypto';
import { exportJWK, exportSPKI } from 'jose';
import { tokenId } from '@propusk/contracts';
import { createKeySet } from '../src/auth/jwks.js';
import { createJwtVerifier } from '../src/auth/verify-jwt.js';
import { envelopeClaims as readEnvelopeClaims } from '../src/auth/strategies.js';
import { AuthError } from '../src/auth/errors.js';
import {
  envelopeClaims,
  hs256,
  makeKey,
  nowS,
  rawJws,
  rsSign,
  signEnvelope,
  silentLog,
  unsigned,
  type TestKey,
} from './fixtures/jwt.js';

// RSA key generation is the slow part: one set of keys for every test.
const KEYS = Promise.all([makeKey('kid-1'), makeKey('kid-2'), makeKey('kid-1') /* same kid, not ours */]);

async function setup() {
  const [key, other, attacker] = await KEYS;
  const keys = createKeySet({
    source: async () => ({ keys: [key.publicJwk, other.publicJwk] as Array<Record<string, unknown>> }),
    log: silentLog,
  });
  const verifier = createJwtVerifier({
    profile: 'envelope',
    keys,
    issuer: 'digeocache',
    claims: readEnvelopeClaims,
  });
  return { key, other, attacker, verifier };
}

async function nodeKey(k: TestKey): Promise<{ priv: KeyObject; pub: KeyObject }> {
  const priv = createPrivateKey({ key: (await exportJWK(k.privateKey)) as never, format: 'jwk' });
  return { priv, pub: createPublicKey(priv) };
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

t.test('a token as the token service signs it verifies', async (t) => {
  const { key, verifier } = await setup();
  const token = await signEnvelope(key);
  const v = await verifier.verify(token);
  t.same(v.roles, ['admin']);
  t.equal(v.username, 'test_admin');
  t.equal(v.subject, 'test_admin', 'no account id in the token: the username is the subject');
  t.equal(v.profile, 'envelope');
  t.equal(v.tokenId, tokenId(token));
  t.ok(Math.abs(v.expiresAtMs - (nowS() + 7200) * 1000) < 5000);
  const withSub = await verifier.verify(await signEnvelope(key, { sub: 'acc-1', jti: 'j' }));
  t.equal(withSub.subject, 'acc-1', 'sub and jti are tolerated');
  const user = await verifier.verify(await signEnvelope(key, { admin: false, username: 'test_user' }));
  t.same(user.roles, [], 'admin false: no role');
});

t.test('alg none, in every casing, signed or not', async (t) => {
  const { verifier } = await setup();
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    await refused(
      t,
      verifier.verify(unsigned({ alg, typ: 'JWT', kid: 'kid-1' }, envelopeClaims())),
      `alg ${alg}`,
    );
    await refused(t, verifier.verify(unsigned({ alg, typ: 'JWT' }, envelopeClaims())), `alg ${alg}, no kid`);
    const junk = rawJws({ alg, typ: 'JWT', kid: 'kid-1' }, envelopeClaims(), () => 'c2lnbmF0dXJl');
    await refused(t, verifier.verify(junk), `alg ${alg} with a junk signature`);
  }
});

t.test('HS256 signed with the public key (RS/HS confusion)', async (t) => {
  const { key, verifier } = await setup();
  const pem = await exportSPKI(key.publicKey);
  const n = String(key.publicJwk.n);
  for (const [what, secret] of [
    ['PEM', pem],
    ['PEM without newline', pem.trim()],
    ['JWK JSON', JSON.stringify(key.publicJwk)],
    ['modulus', Buffer.from(n, 'base64url')],
  ] as const) {
    await refused(
      t,
      verifier.verify(rawJws({ alg: 'HS256', typ: 'JWT', kid: 'kid-1' }, envelopeClaims(), hs256(secret))),
      `HS256 with ${what}`,
    );
  }
});

t.test("an alg other than the key's, even with a valid signature of our own key", async (t) => {
  const { key, verifier } = await setup();
  const { priv } = await nodeKey(key);
  await refused(
    t,
    verifier.verify(
      rawJws({ alg: 'RS512', typ: 'JWT', kid: 'kid-1' }, envelopeClaims(), rsSign('sha512', priv)),
    ),
    'RS512 header on an RS256 key',
  );
  await refused(
    t,
    verifier.verify(
      rawJws({ alg: 'PS256', typ: 'JWT', kid: 'kid-1' }, envelopeClaims(), rsSign('sha256', priv)),
    ),
    'PS256 header on an RS256 key',
  );
});

t.test('key-carrying and critical headers: jku, jwk, x5u, x5c, crit', async (t) => {
  const { key, attacker, verifier } = await setup();
  const headers: Array<[string, Record<string, unknown>]> = [
    ['jku', { jku: 'https://evil.example/jwks.json' }],
    ['jwk (embedded attacker key)', { jwk: attacker.publicJwk }],
    ['x5u', { x5u: 'https://evil.example/cert.pem' }],
    ['x5c', { x5c: ['MIIB'] }],
  ];
  for (const [what, extra] of headers) {
    // Signed with our own key: the header alone gets it refused.
    await refused(t, verifier.verify(await signEnvelope(key, {}, extra)), `${what}, signed by our key`);
    await refused(
      t,
      verifier.verify(await signEnvelope(attacker, {}, extra)),
      `${what}, signed by the attacker`,
    );
  }
});

t.test('crit (RFC 7515 §4.1.11): refused even when the named extension is present', async (t) => {
  const { key, verifier } = await setup();
  const { priv } = await nodeKey(key);
  const header = { alg: 'RS256', typ: 'JWT', kid: 'kid-1', crit: ['x-ext'], 'x-ext': 1 };
  await refused(t, verifier.verify(rawJws(header, envelopeClaims(), rsSign('sha256', priv))), 'crit');
});

t.test('foreign kid, missing kid, a key the set does not hold', async (t) => {
  const { key, attacker, verifier } = await setup();
  await refused(t, verifier.verify(await signEnvelope(attacker)), 'attacker key under our kid');
  const stranger = await makeKey('kid-unknown');
  await refused(t, verifier.verify(await signEnvelope(stranger)), 'unknown kid');
  await refused(t, verifier.verify(await signEnvelope(key, {}, { kid: undefined })), 'no kid');
  await refused(
    t,
    verifier.verify(await signEnvelope(key, {}, { kid: '../../etc/passwd' })),
    'path-like kid',
  );
});

t.test('a valid signature by another of our keys under the wrong kid', async (t) => {
  const { other, verifier } = await setup();
  await refused(
    t,
    verifier.verify(await signEnvelope(other, {}, { kid: 'kid-1' })),
    'kid-2 key claims kid-1',
  );
});

t.test('bad signatures and tampering', async (t) => {
  const { key, verifier } = await setup();
  const token = await signEnvelope(key, { admin: false });
  const [h, , s] = token.split('.');
  const forgedPayload = Buffer.from(JSON.stringify(envelopeClaims({ admin: true }))).toString('base64url');
  await refused(t, verifier.verify(`${h}.${forgedPayload}.${s}`), 'payload swapped');
  await refused(t, verifier.verify(`${token.slice(0, -4)}AAAA`), 'signature changed');
  await refused(t, verifier.verify(`${h}.${token.split('.')[1]}.`), 'signature removed');
});

t.test('time: expired, not yet valid, issued in the future is fine only within leeway', async (t) => {
  const { key, verifier } = await setup();
  await refused(
    t,
    verifier.verify(await signEnvelope(key, { iat: nowS() - 8000, exp: nowS() - 60 })),
    'expired',
  );
  await refused(t, verifier.verify(await signEnvelope(key, { nbf: nowS() + 600 })), 'not yet valid');
  await refused(t, verifier.verify(await signEnvelope(key, { exp: undefined })), 'no exp');
  await refused(t, verifier.verify(await signEnvelope(key, { iat: undefined })), 'no iat');
  t.ok(await verifier.verify(await signEnvelope(key, { exp: nowS() - 5 })), 'within the 30 s leeway');
});

t.test('issuer and profile/kind claims', async (t) => {
  const { key, verifier } = await setup();
  await refused(t, verifier.verify(await signEnvelope(key, { iss: 'someone-else' })), 'wrong iss');
  await refused(t, verifier.verify(await signEnvelope(key, { iss: undefined })), 'no iss');
  await refused(t, verifier.verify(await signEnvelope(key, { username: undefined })), 'no username');
  await refused(t, verifier.verify(await signEnvelope(key, { admin: 'true' })), 'admin not a boolean');
  await refused(
    t,
    verifier.verify(await signEnvelope(key, { sub: 42 as unknown as string })),
    'sub not a string',
  );
  await refused(t, verifier.verify(await signEnvelope(key, { roles: ['superuser'] })), 'an extra claim');
  await refused(
    t,
    verifier.verify(await signEnvelope(key, { email: 'a@b.c' })),
    'a claim of another profile',
  );
  await refused(t, verifier.verify(await signEnvelope(key, { token_type: 'refresh' })), 'a refresh token');
  await refused(
    t,
    verifier.verify(await signEnvelope(key, { mode: 'refresh_token' })),
    'profile 002 refresh',
  );
  await refused(t, verifier.verify(await signEnvelope(key, { refresh_uuid: 'x' })), 'profile 000 refresh');
  await refused(t, verifier.verify(await signEnvelope(key, { profile: 'v2' })), 'a v2 token');
  await refused(t, verifier.verify(await signEnvelope(key, {}, { typ: 'at+jwt' })), 'typ of another kind');
  await refused(
    t,
    verifier.verify(await signEnvelope(key, {}, { cty: 'JWT' })),
    'a header member we never write',
  );
});

t.test('not a JWS at all', async (t) => {
  const { verifier } = await setup();
  for (const garbage of [
    'garbage',
    '48a22aa3a719bc8724fa36d5b1a0c4d2e3f40516',
    'a.b',
    'a.b.c.d.e',
    '!!!.???.***',
    `${Buffer.from('{not json').toString('base64url')}.e30.c2ln`,
    'eyJhbGciOiJSUzI1NiJ9..',
  ]) {
    await refused(t, verifier.verify(garbage), JSON.stringify(garbage));
  }
});
