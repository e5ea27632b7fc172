import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicKey } from 'node:crypto';
import { bootSuite, metricsAuth, type Suite } from '@propusk/testkit';
import { createUsers } from '../helpers/accounts.js';
import { ADMIN, adminLogin, createAdmin } from '../helpers/admin-telegram.js';
import { suiteKeys, type HsKind } from '../helpers/forge.js';
import { bearer, get, post } from '../helpers/http.js';
import { b64url, decodePart, hs, jws, none, rs, rsaPair } from '../helpers/jws.js';
import { newPerson, v2Client } from '../helpers/v2.js';

// Attacks on every token-bearing profile, end to end through the gateway (docs/SECURITY.md,
// "Tokens"). Each profile's token is presented to that profile's protected route:
//   drf            POST /api/v1/check_token/   (gateway: introspection; required)
//   envelope       GET  /api/v1/auth/logout/   (gateway: local RS256; optional → the service's 3002)
//   admin-telegram POST /api/v1/admin/logout   (gateway: introspection; required)
//   v2             POST /v2/auth/verification  (gateway: local RS256 at+jwt; required)
//   authorization  GET  /validate/jwt/access   (the token service judges; answers true/false)
// Claims-level attacks (expired, not yet valid, wrong iss/aud) are signed with the suite's real
// keys read from Postgres, and a re-signed live token must come out byte for byte the same: so a
// refusal is for the claims, never for a signature the test got wrong.

type Profile = 'drf' | 'envelope' | 'admin-telegram' | 'v2' | 'authorization';
const JWT_PROFILES = ['envelope', 'admin-telegram', 'v2', 'authorization'] as const;
type JwtProfile = (typeof JWT_PROFILES)[number];

const nowS = () => Math.floor(Date.now() / 1000);

/** A server that must never be asked: the target of jku / x5u headers. */
async function trap() {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => server.close(),
  };
}

/** Every casing of "none": 16 spellings (RFC 7518 §3.6 names it in lowercase; parsers differ). */
const NONE_CASINGS = [...Array(16).keys()].map((mask) =>
  [...'none'].map((c, i) => (mask & (1 << i) ? c.toUpperCase() : c)).join(''),
);

/** One bit of one byte of the decoded payload flipped, inside the `exp` digits: still valid JSON. */
function flipPayloadByte(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(p, 'base64url');
  const at = bytes.indexOf('"exp":') + 7;
  bytes[at] = (bytes[at] as number) ^ 1;
  return `${h}.${bytes.toString('base64url')}.${s}`;
}

function flipSignatureByte(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(s, 'base64url');
  bytes[5] = (bytes[5] as number) ^ 0x40;
  return `${h}.${p}.${bytes.toString('base64url')}`;
}

/** The gateway's counter of tokens it verified for a profile (its /metrics). */
async function verifiedCount(suite: Suite, profile: Profile): Promise<number> {
  const res = await get(suite.url, '/metrics', { headers: metricsAuth(suite) });
  const line = res.text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('propusk_gateway_token_checks_total{') &&
        l.includes(`profile="${profile}"`) &&
        l.includes('outcome="verified"'),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

t.test('JWT attacks on every token profile through the gateway', async (t) => {
  const jku = await trap();
  t.teardown(() => jku.close());
  const suite = await bootSuite();
  t.teardown(() => suite.stop());
  const { url } = suite;
  const staff = { username: 'jwt_staff', password: 'jwt-staff-pasword1' };
  const admin = { username: 'jwt_admin', password: 'jwt-admin-pasword1', chatId: 4_200_001 };
  await createUsers(suite.databaseUrl, [{ ...staff, roles: ['staff', 'admin'] }]);
  await createAdmin(suite, admin);
  const person = newPerson();
  const v2 = v2Client(suite);
  const authzUser = {
    email: 'jwt.authz@example.org',
    phone_number: '+79005550011',
    hash_password: 'Jwt#authz-pass-1',
  };
  const registered = await post(url, '/authorization/registration', { json: authzUser });
  t.equal(registered.status, 200, registered.text);

  /** A fresh live access token of each profile. */
  const issue: Record<Profile, () => Promise<string>> = {
    async drf() {
      const res = await post(url, '/api/v1/login/', { json: staff });
      return (res.body as { data: { token: string } }).data.token;
    },
    async envelope() {
      const res = await post(url, '/api/v1/auth/admin/', { json: staff });
      return (res.body as { data: { token: string } }).data.token;
    },
    async 'admin-telegram'() {
      return (await adminLogin(url, admin.username, admin.password)).access_token;
    },
    v2: (() => {
      let registeredToken: Promise<string> | undefined;
      return async () => {
        if (!registeredToken) return (registeredToken = v2.register(person));
        return v2.loginByPassword(person.email_address, person.password);
      };
    })(),
    async authorization() {
      const res = await post(url, '/authorization/login/email', {
        json: { email: authzUser.email, hash_password: authzUser.hash_password },
      });
      return (res.body as { access: string }).access;
    },
  };

  /**
   * Presents a token to the profile's protected route: true when accepted as live. A refusal
   * must be the profile's own answer, exactly.
   */
  const present: Record<Profile, (token: string, what: string) => Promise<boolean>> = {
    async drf(token, what) {
      const res = await post(url, '/api/v1/check_token/', {
        json: { username: staff.username },
        headers: bearer(token),
      });
      if (res.status === 200) return true;
      t.equal(res.status, 401, `drf, ${what}: 401`);
      t.same(res.body, { result: { status: 401, message: 'Недопустимый токен.' }, data: {} }, `drf, ${what}`);
      return false;
    },
    async envelope(token, what) {
      const res = await get(url, '/api/v1/auth/logout/', { headers: bearer(token) });
      if (res.status === 200) return true;
      t.equal(res.status, 401, `envelope, ${what}: 401`);
      t.same(
        res.body,
        {
          data: { redirect: '/go/here/after/failed/logout' },
          errors: [{ code: 3002, message: 'logout failure' }],
        },
        `envelope, ${what}: the 3002 failure`,
      );
      return false;
    },
    async 'admin-telegram'(token, what) {
      const res = await post(url, ADMIN.logout, { headers: bearer(token) });
      if (res.status === 200) return true;
      t.equal(res.status, 401, `admin-telegram, ${what}: 401`);
      t.same(
        res.body,
        { message: 'the access token is invalid, expired or revoked; sign in again' },
        `admin-telegram, ${what}`,
      );
      return false;
    },
    async v2(token, what) {
      const res = await post(url, '/v2/auth/verification', { json: {}, headers: bearer(token) });
      if (res.status === 422 && (res.body as { code?: number }).code === 7) return true;
      t.equal(res.status, 401, `v2, ${what}: 401`);
      t.same(res.body, { code: 401, message: 'Недействительный токен' }, `v2, ${what}`);
      return false;
    },
    async authorization(token, what) {
      const res = await get(url, `/validate/jwt/access?${new URLSearchParams({ access: token })}`);
      t.equal(res.status, 200, `authorization, ${what}: 200`);
      t.ok(res.text === 'true' || res.text === 'false', `authorization, ${what}: a JSON boolean`);
      return res.text === 'true';
    },
  };

  const hsKindOf = (token: string): HsKind | undefined => {
    const c = decodePart(token, 1);
    if ('access_uuid' in c) return 'admin-telegram access';
    if ('refresh_uuid' in c) return 'admin-telegram refresh';
    if (c.mode === 'access_token') return 'authorization access';
    if (c.mode === 'refresh_token') return 'authorization refresh';
    return undefined;
  };

  const base = {} as Record<Profile, string>;
  for (const p of ['drf', ...JWT_PROFILES] as const) base[p] = await issue[p]();
  const keys = await suiteKeys(suite.databaseUrl, hsKindOf);
  const jwks = (await get(url, '/.well-known/jwks.json')).body as { keys: Array<Record<string, unknown>> };
  const published = jwks.keys[0] as Record<string, unknown>;
  const publicPem = createPublicKey({ key: published as never, format: 'jwk' })
    .export({ format: 'pem', type: 'spki' })
    .toString();
  const attacker = rsaPair();
  const attackerJwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'attacker', alg: 'RS256' };

  t.test('control: the test signs exactly as the token service does; live tokens are accepted', async (t) => {
    for (const p of JWT_PROFILES) {
      t.equal(
        keys.resign(base[p], decodePart(base[p], 1)),
        base[p],
        `${p}: re-signing a live token gives it back`,
      );
    }
    for (const p of ['drf', 'v2', 'authorization'] as const)
      t.ok(await present[p](base[p], 'live'), `${p}: live token accepted`);
    // Logouts kill what they accept: fresh tokens for the control.
    const envelopeClaims = decodePart(base.envelope, 1);
    const other = keys.resign(base.envelope, { ...envelopeClaims, iat: Number(envelopeClaims.iat) - 1 });
    t.ok(
      await present.envelope(other, 'signed by the test'),
      'envelope: a token the test signed is accepted',
    );
    t.ok(
      await present['admin-telegram'](await issue['admin-telegram'](), 'live'),
      'admin-telegram: live token accepted',
    );
    const v2Claims = decodePart(base.v2, 1);
    const renewed = keys.resign(base.v2, { ...v2Claims, jti: crypto.randomUUID(), iat: nowS() });
    t.ok(await present.v2(renewed, 'new jti'), 'v2: a token the test signed with the real key is accepted');
  });

  /** The attacks on one JWT profile's token, each a [what, token] pair. */
  function attacksOn(p: JwtProfile): Array<[string, string]> {
    const token = base[p];
    const header = decodePart(token, 0);
    const claims = decodePart(token, 1);
    const [h, payload] = token.split('.') as [string, string];
    const withHeader = (extra: Record<string, unknown>, signer = keys.signerFor(token)) =>
      jws({ ...header, ...extra }, claims, signer);
    const out: Array<[string, string]> = [];
    for (const alg of NONE_CASINGS) out.push([`alg ${alg}, no signature`, withHeader({ alg }, none)]);
    out.push([
      'alg none with the original signature',
      `${b64url({ ...header, alg: 'none' })}.${payload}.${token.split('.')[2]}`,
    ]);
    out.push(['alg none without kid', jws({ alg: 'none', typ: header.typ }, claims, none)]);
    out.push([
      'HS256 keyed with the published public key (PEM)',
      withHeader({ alg: 'HS256' }, hs(publicPem)),
    ]);
    out.push([
      'HS256 keyed with the published JWK, under its kid',
      withHeader({ alg: 'HS256', kid: published.kid }, hs(JSON.stringify(published))),
    ]);
    out.push(['HS512 header', withHeader({ alg: 'HS512' })]);
    out.push(['one flipped payload byte', flipPayloadByte(token)]);
    out.push(['one flipped signature byte', flipSignatureByte(token)]);
    out.push([
      'payload of another token under this signature',
      `${h}.${b64url({ ...claims, exp: nowS() + 86_400 * 365 })}.${token.split('.')[2]}`,
    ]);
    out.push(['attacker RS256 key under our kid', withHeader({ alg: 'RS256' }, rs(attacker.privateKey))]);
    out.push([
      'foreign jku',
      withHeader({ alg: 'RS256', kid: 'attacker', jku: `${jku.url}/jwks.json` }, rs(attacker.privateKey)),
    ]);
    out.push([
      'foreign jwk embedded',
      withHeader({ alg: 'RS256', kid: 'attacker', jwk: attackerJwk }, rs(attacker.privateKey)),
    ]);
    out.push([
      'foreign x5u',
      withHeader({ alg: 'RS256', kid: 'attacker', x5u: `${jku.url}/cert.pem` }, rs(attacker.privateKey)),
    ]);
    out.push(['x5c', withHeader({ x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] })]);
    out.push(['jku beside our real signature', withHeader({ jku: `${jku.url}/jwks.json` })]);
    out.push(['jwk beside our real signature', withHeader({ jwk: published })]);
    out.push(['crit', withHeader({ crit: ['exp'] })]);
    out.push([
      'kid path traversal, HS256 with an empty key',
      withHeader({ alg: 'HS256', kid: '../../../../../../dev/null' }, hs('')),
    ]);
    out.push([
      "kid SQL injection (' OR '1'='1), empty key",
      withHeader({ alg: 'HS256', kid: "' OR '1'='1" }, hs('')),
    ]);
    out.push([
      "kid SQL injection (UNION SELECT 'k'), key k",
      withHeader({ alg: 'HS256', kid: "x' UNION SELECT 'k' -- " }, hs('k')),
    ]);
    out.push([
      'kid of a file, key its well-known content',
      withHeader({ alg: 'HS256', kid: '/proc/sys/kernel/randomize_va_space' }, hs('2\n')),
    ]);
    out.push(['no kid', jws({ alg: header.alg, typ: header.typ }, claims, keys.signerFor(token))]);
    // Claims, signed with the real key.
    const resigned = (over: Record<string, unknown>, extraHeader: Record<string, unknown> = {}) =>
      keys.resign(token, { ...claims, ...over }, extraHeader);
    out.push([
      'expired 2 minutes ago',
      resigned({ exp: nowS() - 120, ...('iat' in claims ? { iat: nowS() - 7320 } : {}) }),
    ]);
    out.push(['not yet valid (nbf in 10 minutes)', resigned({ nbf: nowS() + 600 })]);
    out.push(['wrong iss', resigned({ iss: 'https://evil.example' })]);
    out.push(['wrong aud', resigned({ aud: 'propusk:other' })]);
    out.push(['aud array with an extra audience', resigned({ aud: ['propusk:v2', 'evil'] })]);
    out.push(['another typ', resigned({}, { typ: header.typ === 'at+jwt' ? 'JWT' : 'at+jwt' })]);
    if (p === 'envelope') out.push(['admin as a string', resigned({ admin: 'true' })]);
    return out;
  }

  for (const p of JWT_PROFILES) {
    t.test(`${p}: forged, tampered, foreign and ill-claimed tokens are refused`, async (t) => {
      const before = await verifiedCount(suite, p);
      for (const [what, token] of attacksOn(p))
        t.notOk(await present[p](token, what), `${p}: ${what}: refused`);
      if (p !== 'authorization')
        t.equal(await verifiedCount(suite, p), before, `${p}: the gateway verified none of them`);
      t.ok(
        await present[p](base[p], 'the original'),
        `${p}: the token they were made from was live all along`,
      );
    });
  }

  t.test('drf: a flipped character, a prefix, another case: refused', async (t) => {
    const token = base.drf;
    const flipped = `${token.slice(0, 10)}${token[10] === 'a' ? 'b' : 'a'}${token.slice(11)}`;
    for (const [what, forged] of [
      ['one flipped character', flipped],
      ['39 characters', token.slice(0, 39)],
      ['upper case', token.toUpperCase()],
      ['with a JWT suffix', `${token}.e30.`],
    ] as const) {
      t.notOk(await present.drf(forged, what), `drf: ${what}`);
    }
  });

  t.test('refresh tokens are never access tokens', async (t) => {
    const pair = await adminLogin(url, admin.username, admin.password);
    t.notOk(
      await present['admin-telegram'](pair.refresh_token, 'a refresh token'),
      'admin-telegram: refresh as access',
    );
    const asRefresh = await post(url, ADMIN.auth, { json: { refresh_token: pair.access_token } });
    t.equal(asRefresh.status, 401, 'admin-telegram: access as refresh');
    const authz = registered.body as { access: string; refresh: string };
    t.notOk(
      await present.authorization(authz.refresh, 'a refresh token'),
      'authorization: refresh as access',
    );
    const asAuthzRefresh = await get(
      url,
      `/validate/jwt/refresh?${new URLSearchParams({ refresh: authz.access })}`,
    );
    t.equal(asAuthzRefresh.status, 401, 'authorization: access as refresh');
    // A refresh token re-signed with the access subkey is still not an access token of the session.
    const promoted = keys.resign(pair.access_token, decodePart(pair.refresh_token, 1));
    t.notOk(
      await present['admin-telegram'](promoted, 'refresh claims under the access key'),
      'promoted refresh',
    );
  });

  t.test("a token of one profile is refused by every other profile's route", async (t) => {
    const fresh = {} as Record<Profile, string>;
    for (const p of ['drf', ...JWT_PROFILES] as const) fresh[p] = await issue[p]();
    for (const target of ['drf', ...JWT_PROFILES] as const) {
      for (const source of ['drf', ...JWT_PROFILES] as const) {
        if (source === target) continue;
        t.notOk(
          await present[target](fresh[source], `a ${source} token`),
          `${source} token on ${target}: refused`,
        );
      }
    }
    // Every one of them is still live where it belongs (the refusals changed nothing).
    for (const p of ['drf', 'v2', 'authorization'] as const)
      t.ok(await present[p](fresh[p], 'own route'), `${p}: still live`);
  });

  t.test('no key was ever fetched from a URL in a token', async (t) => {
    t.equal(jku.hits(), 0);
  });
});
