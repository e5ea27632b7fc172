import t from 'tap';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createPrismaClient } from '@propusk/db';
import { resolveKeysEncryption } from '../../services/token/src/keys/encryption-key.js';
import { sealPrivateJwk } from '../../services/token/src/keys/prisma-store.js';
import { bootSuite, eventually } from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';
import { get, post } from './helpers/http.js';
import { hs, jws, none, rs, rsaPair, type Signer } from './helpers/jws.js';
import { tokenId } from './helpers/tokens.js';

// Attacks on the gateway's token checks, end to end. All six processes are real; the gateway's
// upstream for the token service's HTTP routes is a recorder, so the test sees exactly which
// identity headers the gateway decided to send (the real token service would re-check the token
// and hide a gateway that let a forged one through). Logins, signing, JWKS and introspection
// are the real identity and token services over NATS.

interface Recorded {
  url: string;
  headers: IncomingHttpHeaders;
}

async function recorder() {
  const seen = new Map<string, Recorded>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.set(String(req.headers['x-request-id']), { url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"recorded":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => server.close(),
  };
}

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

const nowS = () => Math.floor(Date.now() / 1000);
const claims = (over: Record<string, unknown> = {}) => ({
  iss: 'digeocache',
  username: 'test_admin',
  admin: true,
  iat: nowS(),
  exp: nowS() + 7200,
  ...over,
});

t.test('attacks through the gateway', async (t) => {
  const rec = await recorder();
  const jkuTrap = await trap();
  t.teardown(() => {
    rec.close();
    jkuTrap.close();
  });
  const suite = await bootSuite({ env: { TOKEN_URL: rec.url, SIGNING_KEYS_REFRESH_S: '1' } });
  t.teardown(() => suite.stop());
  const url = suite.url;
  await createUsers(suite.databaseUrl, [
    { username: 'test_admin', password: 'test_admin_pasword1', roles: ['admin'] },
    { username: 'staff1', password: 'qwerty123-staff', roles: ['staff'] },
  ]);

  // A key of our own, published through the token service's JWKS like a retiring key, so the
  // test can sign tokens the gateway must trust — and then break them one property at a time.
  const trusted = rsaPair();
  const trustedKid = `test-${randomUUID()}`;
  const publicJwk = {
    ...trusted.publicKey.export({ format: 'jwk' }),
    kid: trustedKid,
    alg: 'RS256',
    use: 'sig',
  };
  const prisma = createPrismaClient(suite.databaseUrl);
  await prisma.signingKey.create({
    data: {
      kid: trustedKid,
      alg: 'RS256',
      use: 'sig',
      publicJwk,
      // The token service opens every row it reads: seal the (empty) private part as it would.
      sealedPrivateKey: sealPrivateJwk(
        resolveKeysEncryption({
          KEYS_ENCRYPTION_KEY: process.env.KEYS_ENCRYPTION_KEY,
          NODE_ENV: 'development',
        }).sealer,
        trustedKid,
        {},
      ),
      status: 'retiring',
      retireAfter: new Date(Date.now() + 3_600_000),
    },
  });
  await prisma.$disconnect();
  const attacker = rsaPair();
  const signed = (
    over: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
    signer: Signer = rs(trusted.privateKey),
  ) => jws({ alg: 'RS256', typ: 'JWT', kid: trustedKid, ...header }, claims(over), signer);

  let n = 0;
  /** GET envelope logout (auth optional): the identity headers the gateway forwarded, if any. */
  async function forwarded(authorization: string | undefined, extra: Record<string, string> = {}) {
    const id = `attack-${String(++n).padStart(4, '0')}`;
    const res = await get(url, '/api/v1/auth/logout/', {
      headers: { 'x-request-id': id, ...(authorization ? { authorization } : {}), ...extra },
    });
    if (res.status !== 200) throw new Error(`gateway answered ${res.status} ${res.text}`);
    const seen = rec.seen.get(id);
    if (!seen) throw new Error('the request did not reach the upstream');
    return seen.headers;
  }
  // The identity headers; the gateway's signature over them (x-propusk-signature) is not one.
  const identityOf = (h: IncomingHttpHeaders) =>
    Object.fromEntries(
      Object.entries(h).filter(([k]) => k.startsWith('x-propusk-') && k !== 'x-propusk-signature'),
    );

  await eventually(
    async () => (await forwarded(`Bearer ${signed()}`))['x-propusk-username'] === 'test_admin',
    15_000,
    250,
  );

  t.test('control: a well-formed token of a published key is trusted', async (t) => {
    const token = signed();
    t.same(identityOf(await forwarded(`Bearer ${token}`)), {
      'x-propusk-subject': 'test_admin',
      'x-propusk-username': 'test_admin',
      'x-propusk-profile': 'envelope',
      'x-propusk-token-id': tokenId(token),
      'x-propusk-roles': 'admin',
      'x-propusk-token': token,
    });
    const real = await post(url, '/api/v1/auth/admin/', {
      json: { username: 'test_admin', password: 'test_admin_pasword1' },
    });
    const jwt = (real.body as { data: { token: string } }).data.token;
    t.match(
      identityOf(await forwarded(`Bearer ${jwt}`)),
      { 'x-propusk-username': 'test_admin', 'x-propusk-profile': 'envelope' },
      'and one the token service issued',
    );
  });

  const refusedCases = async (): Promise<Array<[string, string]>> => {
    const pem = trusted.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const attackerJwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'evil', alg: 'RS256' };
    return [
      ['alg none', signed({}, { alg: 'none' }, none)],
      ['alg None, junk signature', signed({}, { alg: 'None' }, () => 'c2lnbmF0dXJl')],
      ['alg NONE without kid', jws({ alg: 'NONE', typ: 'JWT' }, claims(), none)],
      ['HS256 keyed with the public key PEM', signed({}, { alg: 'HS256' }, hs(pem))],
      ['HS256 keyed with the public JWK', signed({}, { alg: 'HS256' }, hs(JSON.stringify(publicJwk)))],
      [
        'RS512 header on an RS256 key (valid RS512 signature)',
        signed({}, { alg: 'RS512' }, rs(trusted.privateKey, 'sha512')),
      ],
      ['attacker key under the trusted kid', signed({}, {}, rs(attacker.privateKey))],
      ['attacker key under its own kid', signed({}, { kid: 'evil' }, rs(attacker.privateKey))],
      [
        'attacker key embedded as jwk',
        signed({}, { kid: 'evil', jwk: attackerJwk }, rs(attacker.privateKey)),
      ],
      ['jwk header even with a trusted signature', signed({}, { jwk: publicJwk })],
      [
        'jku to a foreign JWKS',
        signed({}, { kid: 'evil', jku: `${jkuTrap.url}/jwks.json` }, rs(attacker.privateKey)),
      ],
      ['jku with a trusted signature', signed({}, { jku: `${jkuTrap.url}/jwks.json` })],
      ['x5u', signed({}, { x5u: `${jkuTrap.url}/cert.pem` })],
      ['x5c', signed({}, { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] })],
      ['crit', signed({}, { crit: ['exp'] })],
      ['expired', signed({ iat: nowS() - 7300, exp: nowS() - 100 })],
      ['not yet valid', signed({ nbf: nowS() + 600 })],
      ['wrong issuer', signed({ iss: 'someone-else' })],
      ['an extra claim', signed({ roles: ['superuser'] })],
      ['admin as a string', signed({ admin: 'true' })],
      ['typ of another kind', signed({}, { typ: 'at+jwt' })],
      [
        'payload swapped under a valid signature',
        (() => {
          const [h, , s] = signed({ admin: false }).split('.');
          return `${h}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.${s}`;
        })(),
      ],
      ['garbage', 'garbage'],
      ['a drf token', 'a'.repeat(40)],
    ];
  };

  t.test('forged, tampered and foreign tokens reach the service with no identity', async (t) => {
    for (const [what, token] of await refusedCases()) {
      t.same(identityOf(await forwarded(`Bearer ${token}`)), {}, what);
    }
    t.equal(jkuTrap.hits(), 0, 'no key was ever fetched from a URL in a token');
  });

  t.test('a drf token is not an envelope token, and the other way round', async (t) => {
    const drf = await post(url, '/api/v1/login/', {
      json: { username: 'staff1', password: 'qwerty123-staff' },
    });
    const drfToken = (drf.body as { data: { token: string } }).data.token;
    t.same(identityOf(await forwarded(`Bearer ${drfToken}`)), {}, 'drf token on the envelope route');
    const checked = await post(url, '/api/v1/check_token/', {
      json: { username: 'staff1' },
      headers: { authorization: `Token ${drfToken}`, 'x-request-id': 'attack-drf-ok' },
    });
    t.equal(checked.status, 200, 'the drf token is fine on its own route');
    t.match(identityOf(rec.seen.get('attack-drf-ok')!.headers), {
      'x-propusk-profile': 'drf',
      'x-propusk-username': 'staff1',
      'x-propusk-roles': 'staff',
    });
    for (const token of [signed(), signed({ username: 'staff1' })]) {
      const res = await post(url, '/api/v1/check_token/', {
        json: { username: 'staff1' },
        headers: { authorization: `Bearer ${token}`, 'x-request-id': 'attack-env-on-drf' },
      });
      t.equal(res.status, 401, 'envelope token on a drf route');
      t.same(res.body, { result: { status: 401, message: 'Недопустимый токен.' }, data: {} });
    }
    t.notOk(rec.seen.has('attack-env-on-drf'), 'refused by the gateway itself');
  });

  t.test('client-sent x-propusk-* headers are ignored', async (t) => {
    const spoofed = {
      'x-propusk-subject': 'root-id',
      'x-propusk-username': 'root',
      'x-propusk-profile': 'drf',
      'x-propusk-token-id': 'forged',
      'x-propusk-roles': 'superuser',
      'x-propusk-token': 'forged',
    };
    t.same(identityOf(await forwarded(undefined, spoofed)), {}, 'no token: all of them dropped');
    t.same(identityOf(await forwarded('Bearer garbage', spoofed)), {}, 'invalid token: all of them dropped');
    const token = signed();
    t.match(
      identityOf(await forwarded(`Bearer ${token}`, spoofed)),
      {
        'x-propusk-username': 'test_admin',
        'x-propusk-roles': 'admin',
        'x-propusk-profile': 'envelope',
        'x-propusk-token': token,
      },
      "valid token: the gateway's values, not the client's",
    );
    const check = await post(url, '/api/v1/check_token/', {
      json: { username: 'root' },
      headers: { ...spoofed, 'x-request-id': 'attack-spoof-drf' },
    });
    t.equal(check.status, 401, 'spoofed identity without a token on a required route');
    t.same(check.body, {
      result: { status: 401, message: 'Учетные данные не были предоставлены.' },
      data: {},
    });
    t.notOk(rec.seen.has('attack-spoof-drf'));
  });

  t.test('a forged x-forwarded-for is replaced by the real client address', async (t) => {
    const h = await forwarded(undefined, { 'x-forwarded-for': '203.0.113.7', forwarded: 'for=203.0.113.7' });
    t.equal(h['x-forwarded-for'], '127.0.0.1');
    t.equal(h.forwarded, undefined);
  });
});
