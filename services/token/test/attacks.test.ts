import t from 'tap';
import { createHmac, createPrivateKey, createSign, type JsonWebKey } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { ALICE, asIssued, buildDomain, ISSUER, type Domain } from './fixtures/domain.js';

/**
 * Attacks on introspection (RFC 8725 §2: the known JWT attacks). Every forged token must be
 * inactive, and refused for the right reason — a test that passes for the wrong reason
 * would hide a broken check.
 */
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function claims(d: Domain, over: Record<string, unknown> = {}) {
  const iat = Math.floor(d.clock.now() / 1000);
  return { iss: ISSUER, username: 'staff1', admin: true, iat, exp: iat + 7200, ...over };
}

/** Signs header.payload with RS256 using a private JWK, whatever the header says. */
async function signRs256(privateJwk: JWK, header: unknown, payload: unknown): Promise<string> {
  const key = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' });
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

async function ourKey(d: Domain) {
  const stored = d.keyStore.keys.find((k) => k.alg === 'RS256' && k.status === 'active')!;
  return { kid: stored.kid, privateJwk: stored.privateJwk, publicJwk: stored.publicJwk };
}

/** The one assertion the helper needs (tap's Test type is plugin-built and awkward to name). */
interface Asserts {
  strictSame(found: unknown, wanted: unknown, message: string): boolean;
}

async function expectRefused(t: Asserts, d: Domain, token: string, reason: string, what: string) {
  t.strictSame(await d.introspection.introspect(token), { active: false }, `${what}: inactive`);
  const verdict = await d.envelope.verify(token);
  t.strictSame(verdict, { ok: false, reason }, `${what}: refused as ${reason}`);
  t.strictSame(await d.introspection.revoke(token), { revoked: false }, `${what}: nothing to revoke`);
}

t.test('a genuine token is the control: active', async (t) => {
  const d = await buildDomain();
  const { kid, privateJwk } = await ourKey(d);
  const token = await asIssued(d, await signRs256(privateJwk, { alg: 'RS256', typ: 'JWT', kid }, claims(d)));
  t.equal((await d.introspection.introspect(token)).active, true);
});

t.test('alg none, in any casing, with or without a signature', async (t) => {
  const d = await buildDomain();
  const { kid, privateJwk } = await ourKey(d);
  const genuine = await signRs256(privateJwk, { alg: 'RS256', typ: 'JWT', kid }, claims(d));
  const sig = genuine.split('.')[2];
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    const input = `${b64({ alg, typ: 'JWT', kid })}.${b64(claims(d))}`;
    await expectRefused(t, d, `${input}.`, 'alg_mismatch', `alg ${alg}, empty signature`);
    await expectRefused(t, d, `${input}.${sig}`, 'alg_mismatch', `alg ${alg}, a real signature attached`);
  }
  await expectRefused(t, d, `${b64({ typ: 'JWT', kid })}.${b64(claims(d))}.`, 'malformed', 'no alg at all');
  t.strictSame(d.events.published, []);
});

t.test('HS256 "signed" with our RSA public key as the HMAC secret', async (t) => {
  const d = await buildDomain();
  const { kid, publicJwk } = await ourKey(d);
  const pem = await exportSPKI((await importJWK(publicJwk, 'RS256')) as CryptoKey);
  const published = d.keyRing.publicJwks()[0]!;
  const secrets: Array<[string, string | Buffer]> = [
    ['SPKI PEM', pem],
    ['SPKI PEM without the final newline', pem.trimEnd()],
    ['the published JWK JSON', JSON.stringify(published)],
    ['the stored public JWK JSON', JSON.stringify(publicJwk)],
    ['the modulus bytes', Buffer.from(publicJwk.n!, 'base64url')],
  ];
  for (const alg of ['HS256', 'HS384', 'HS512']) {
    for (const [name, secret] of secrets) {
      const input = `${b64({ alg, typ: 'JWT', kid })}.${b64(claims(d))}`;
      const mac = createHmac(`sha${alg.slice(2)}`, secret)
        .update(input)
        .digest('base64url');
      await expectRefused(t, d, `${input}.${mac}`, 'alg_mismatch', `${alg} keyed with ${name}`);
    }
  }
});

t.test('a changed payload or signature byte breaks the signature', async (t) => {
  const d = await buildDomain();
  const { token } = await d.envelope.issue({ ...ALICE, roles: [] });
  const [h, p, s] = token.split('.') as [string, string, string];
  const promoted = b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), admin: true });
  await expectRefused(t, d, `${h}.${promoted}.${s}`, 'bad_signature', 'admin false → true');
  const renamed = b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), username: 'test_admin' });
  await expectRefused(t, d, `${h}.${renamed}.${s}`, 'bad_signature', 'another username');
  const flip = (seg: string, i: number) => seg.slice(0, i) + (seg[i] === 'A' ? 'B' : 'A') + seg.slice(i + 1);
  await expectRefused(t, d, `${h}.${flip(p, 10)}.${s}`, 'bad_signature', 'one payload character changed');
  await expectRefused(t, d, `${h}.${p}.${flip(s, 20)}`, 'bad_signature', 'one signature character changed');
  await expectRefused(t, d, `${h}.${p}.${s.slice(0, -4)}`, 'bad_signature', 'a truncated signature');
  t.equal((await d.introspection.introspect(token)).active, true, 'the original still verifies');
});

t.test('headers that bring their own key (jku, jwk, x5u, x5c) or crit are refused', async (t) => {
  const d = await buildDomain();
  const { kid, privateJwk } = await ourKey(d);
  const attacker = await generateKeyPair('RS256', { extractable: true });
  const attackerPrivate = await exportJWK(attacker.privateKey);
  const attackerPublic = await exportJWK(attacker.publicKey);
  const extras: Array<[string, Record<string, unknown>]> = [
    ['jku', { jku: 'https://attacker.example/jwks.json' }],
    ['jwk', { jwk: attackerPublic }],
    ['x5u', { x5u: 'https://attacker.example/cert.pem' }],
    ['x5c', { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] }],
    ['crit', { crit: ['exp'] }],
    ['jku null', { jku: null }],
  ];
  for (const [name, extra] of extras) {
    // Signed by the attacker with the kid of the key they bring, and also with our own key
    // (so the refusal comes from the header check, not from a failing signature).
    await expectRefused(
      t,
      d,
      await signRs256(
        attackerPrivate,
        { alg: 'RS256', typ: 'JWT', kid: 'attacker-key', ...extra },
        claims(d),
      ),
      'forbidden_header',
      `${name}, attacker-signed`,
    );
    await expectRefused(
      t,
      d,
      await signRs256(privateJwk, { alg: 'RS256', typ: 'JWT', kid, ...extra }, claims(d)),
      'forbidden_header',
      `${name}, signed with our key`,
    );
  }
});

t.test('an unknown kid is refused; the keys are never fetched from anywhere', async (t) => {
  const d = await buildDomain();
  const attacker = await generateKeyPair('RS256', { extractable: true });
  const attackerPrivate = await exportJWK(attacker.privateKey);
  d.clock.advance(10_000);
  const reads = d.keyStore.reads;
  const forged = await signRs256(
    attackerPrivate,
    { alg: 'RS256', typ: 'JWT', kid: 'attacker-key' },
    claims(d),
  );
  await expectRefused(t, d, forged, 'unknown_kid', 'attacker key with its own kid');
  t.equal(d.keyStore.reads, reads + 1, 'one reload of our own store, no more');
  await expectRefused(t, d, forged, 'unknown_kid', 'again');
  t.equal(d.keyStore.reads, reads + 1, 'repeated unknown kids do not hit the store again within 5 s');
});

t.test('kid injection strings are refused before any lookup', async (t) => {
  const d = await buildDomain();
  const { privateJwk } = await ourKey(d);
  d.clock.advance(10_000);
  const reads = d.keyStore.reads;
  const kids: unknown[] = [
    '../../../../dev/null',
    "' OR '1'='1",
    'kid"; DROP TABLE signing_key; --',
    'a\u0000b',
    '%00',
    '$(curl attacker.example)',
    'x'.repeat(5000),
    '',
    42,
    { $ne: null },
    ['a'],
  ];
  for (const kid of kids) {
    const token = await signRs256(privateJwk, { alg: 'RS256', typ: 'JWT', kid }, claims(d));
    await expectRefused(t, d, token, 'unknown_kid', `kid ${JSON.stringify(kid).slice(0, 40)}`);
  }
  const noKid = await signRs256(privateJwk, { alg: 'RS256', typ: 'JWT' }, claims(d));
  await expectRefused(t, d, noKid, 'unknown_kid', 'no kid');
  t.equal(d.keyStore.reads, reads, 'no store read for a kid that cannot be ours');
});

t.test(
  'claims: expired, wrong issuer, issued in the future, extra or missing claims, other typ',
  async (t) => {
    const d = await buildDomain();
    const { kid, privateJwk } = await ourKey(d);
    const header = { alg: 'RS256', typ: 'JWT', kid };
    const now = Math.floor(d.clock.now() / 1000);
    const cases: Array<[string, unknown, string, Record<string, unknown>?]> = [
      ['expired 31 s ago', claims(d, { iat: now - 7231, exp: now - 31 }), 'expired'],
      ['expired exactly 30 s ago', claims(d, { iat: now - 7230, exp: now - 30 }), 'expired'],
      ['wrong issuer', claims(d, { iss: 'evil' }), 'wrong_issuer'],
      ['issuer differing in case', claims(d, { iss: 'Digeocache' }), 'wrong_issuer'],
      ['iat 31 s in the future', claims(d, { iat: now + 31, exp: now + 7231 }), 'issued_in_future'],
      ['an extra claim', claims(d, { role: 'superuser' }), 'bad_claims'],
      ['a jti claim', claims(d, { jti: 'x' }), 'bad_claims'],
      ['no exp', { iss: ISSUER, username: 'staff1', admin: true, iat: now }, 'bad_claims'],
      ['admin as a string', claims(d, { admin: 'true' }), 'bad_claims'],
      ['exp as a string', claims(d, { exp: String(now + 7200) }), 'bad_claims'],
      ['exp before iat', claims(d, { exp: now - 1 }), 'bad_claims'],
      ['empty username', claims(d, { username: '' }), 'bad_claims'],
      ['payload not an object', [1, 2], 'malformed'],
      ['typ at+jwt', claims(d), 'wrong_typ', { typ: 'at+jwt' }],
      ['no typ', claims(d), 'wrong_typ', { typ: undefined }],
    ];
    for (const [name, payload, reason, headerOver] of cases) {
      const h = JSON.parse(JSON.stringify({ ...header, ...headerOver }));
      await expectRefused(t, d, await signRs256(privateJwk, h, payload), reason, name);
    }
    const within = await asIssued(
      d,
      await signRs256(privateJwk, header, claims(d, { iat: now - 7229, exp: now - 29 })),
    );
    t.equal((await d.introspection.introspect(within)).active, true, 'expired 29 s ago: within the leeway');
  },
);

t.test('a drf token presented as a JWT and a JWT presented as a drf token', async (t) => {
  const d = await buildDomain();
  const { token: drf } = await d.drf.issue(ALICE);
  const { token: jwt } = await d.envelope.issue(ALICE);
  const asJwt = [
    `${b64({ alg: 'RS256', typ: 'JWT', kid: d.keyRing.signing().kid })}.${b64(drf)}.${drf}`,
    `${drf}.${drf}.${drf}`,
    `${b64(drf)}.${b64(drf)}.`,
  ];
  for (const token of asJwt) t.strictSame(await d.introspection.introspect(token), { active: false }, token);
  const asDrf = [
    Buffer.from(jwt.split('.')[2]!, 'base64url').toString('hex').slice(0, 40),
    jwt.slice(0, 40),
    drf.toUpperCase(),
    ` ${drf}`,
    `Token ${drf}`,
    `${drf}0`,
  ];
  for (const token of asDrf) t.strictSame(await d.introspection.introspect(token), { active: false }, token);
  t.equal((await d.introspection.introspect(drf)).active, true, 'the drf token itself is active');
  t.equal((await d.introspection.introspect(jwt)).active, true, 'the JWT itself is active');
});

t.test('a revoked token stays refused; garbage never throws', async (t) => {
  const d = await buildDomain();
  const { token } = await d.envelope.issue(ALICE);
  t.strictSame(await d.introspection.revoke(token), { revoked: true });
  t.strictSame(await d.introspection.introspect(token), { active: false });
  t.strictSame(
    (await d.envelope.verify(token)).ok,
    true,
    'the signature is fine: revocation alone refuses it',
  );
  for (const junk of [
    '',
    '.',
    '..',
    '...',
    'a.b.c',
    'e30.e30.',
    '🔑.🔑.🔑',
    'x'.repeat(8192),
    '\u0000'.repeat(40),
  ]) {
    t.strictSame(
      await d.introspection.introspect(junk),
      { active: false },
      `junk ${JSON.stringify(junk.slice(0, 12))}`,
    );
  }
});
