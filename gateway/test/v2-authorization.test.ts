// Profiles v2 (document 003) and authorization (document 002) at the gateway: their routes, the
// v2 token check on the real authenticator, raw bodies and intact queries, the Cyrillic code
// path, the gateway's own answers in each shape, and logs without query strings — against
// service stand-ins on real sockets.
import t from 'tap';
import { createHttpServer, createLogger } from '@propusk/kit';
import { IDENTITY_HEADER_NAMES, tokenId, type ServiceName } from '@propusk/contracts';
import { createAuthenticator } from '../src/auth/authenticator.js';
import { createVerifiedCache } from '../src/auth/cache.js';
import type { VerifiedToken } from '../src/auth/identity.js';
import { createKeySet } from '../src/auth/jwks.js';
import { createRevocationList } from '../src/auth/revocation.js';
import { v2Strategy } from '../src/auth/strategies.js';
import { registerNotFound } from '../src/not-found.js';
import { registerProxies, upstreamTarget } from '../src/proxy.js';
import { ROUTES } from '../src/routes/table.js';
import { makeKey, nowS, signEnvelope, signV2, silentLog, V2_ACCOUNT, V2_ISSUER } from './fixtures/jwt.js';
import { DOWN, serviceStandIns, type Seen, type Teardown } from './fixtures/services.js';

const KEY = makeKey('kid-1');
const refuse = async (): Promise<VerifiedToken> => Promise.reject(new Error('not in this test'));

async function setup(t: Teardown, opts: { down?: boolean; log?: ReturnType<typeof createLogger> } = {}) {
  const key = await KEY;
  const keys = createKeySet({
    source: async () => ({ keys: [key.publicJwk as Record<string, unknown>] }),
    log: silentLog,
  });
  const revokedInRedis = new Set<string>();
  const auth = createAuthenticator({
    strategies: {
      v2: v2Strategy(keys, V2_ISSUER),
      drf: { schemes: ['bearer'], verify: refuse },
      envelope: { schemes: ['bearer'], verify: refuse },
      'admin-telegram': { schemes: ['bearer'], verify: refuse },
    },
    revocations: createRevocationList({ exists: async (k) => revokedInRedis.has(k) }),
    cache: createVerifiedCache<VerifiedToken>({ max: 100 }),
    cacheTtlMs: 60_000,
  });
  const stands = opts.down ? { urls: DOWN, seen: [] as Seen[] } : await serviceStandIns(t);
  const app = createHttpServer({ log: opts.log ?? silentLog, readiness: {} });
  await registerProxies(app, ROUTES, { upstreams: stands.urls, auth });
  registerNotFound(app, ROUTES);
  t.teardown(() => app.close());
  const send = (
    method: 'GET' | 'POST' | 'HEAD',
    url: string,
    init: { body?: string; headers?: Record<string, string> } = {},
  ) =>
    app.inject({
      method,
      url,
      headers: { ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(method === 'POST' ? { payload: init.body ?? '{}' } : {}),
    });
  return { key, send, seen: stands.seen, revokedInRedis };
}

const last = (seen: Seen[]): Seen => {
  const s = seen.at(-1);
  if (!s) throw new Error('nothing reached a service');
  return s;
};

const spoofed = Object.fromEntries(IDENTITY_HEADER_NAMES.map((h) => [h, 'spoofed']));

t.test('v2 routes without a token: identity receives the body byte for byte', async (t) => {
  const { send, seen } = await setup(t);
  for (const [path, body] of [
    ['/v2/auth/registration', '{"name": "Иван", "surname": '],
    ['/v2/auth/loginByPassword', '{"email_address":"a@b.ru","password":"x"}'],
    ['/v2/auth/loginByPhone/', '{"phone_number": "8 912 345-67-89"}'],
    ['/v2/auth/passwordRecovery', 'not json at all'],
    ['/v2/auth/code', '{"login":"a@b.ru","code":"123456"}'],
  ] as const) {
    const res = await send('POST', path, { body, headers: spoofed });
    t.equal(res.statusCode, 200, path);
    t.match(last(seen), { service: 'identity', method: 'POST', url: path, body }, path);
    t.equal(last(seen).headers['content-type'], 'application/json', path);
    for (const h of IDENTITY_HEADER_NAMES)
      t.equal(last(seen).headers[h], undefined, `${path}: ${h} stripped`);
  }
});

t.test('the code endpoint under both spellings reaches identity', async (t) => {
  const { send, seen } = await setup(t);
  for (const [sent, arrives] of [
    ['/v2/auth/%D1%81ode', '/v2/auth/%D1%81ode'],
    ['/v2/auth/%d1%81ode/', '/v2/auth/%d1%81ode/'],
    // Raw UTF-8, as an in-process client writes it: sent on percent-encoded.
    ['/v2/auth/\u0441ode', '/v2/auth/%D1%81ode'],
    ['/v2/auth/\u0441ode?lang=ru', '/v2/auth/%D1%81ode?lang=ru'],
    ['/v2/auth/code', '/v2/auth/code'],
  ] as const) {
    const res = await send('POST', sent, { body: '{"login":"+79123456789","code":"000000"}' });
    t.equal(res.statusCode, 200, sent);
    t.match(last(seen), {
      service: 'identity',
      url: arrives,
      body: '{"login":"+79123456789","code":"000000"}',
    });
  }
  const lookalike = await send('POST', '/v2/auth/cоde'); // a Cyrillic о: not a documented spelling
  t.equal(lookalike.statusCode, 404);
});

t.test('upstreamTarget: query byte for byte, non-ASCII percent-encoded as UTF-8', async (t) => {
  t.same(upstreamTarget('/v2/auth/\u0441ode'), { path: '/v2/auth/%D1%81ode', query: '' });
  t.same(upstreamTarget('/validate/jwt/access?access=a.b.c&x=%zz&y=..%2F..&z=%'), {
    path: '/validate/jwt/access',
    query: 'access=a.b.c&x=%zz&y=..%2F..&z=%',
  });
  t.same(upstreamTarget('/vk/callback?state=ё&code=1?2'), {
    path: '/vk/callback',
    query: 'state=%D1%91&code=1?2',
  });
  t.same(upstreamTarget('/v2/auth/code?'), { path: '/v2/auth/code', query: '' });
});

t.test('verification and password need a v2 token: 401 {"code": 401} otherwise', async (t) => {
  const { key, send, seen } = await setup(t);
  for (const path of ['/v2/auth/verification', '/v2/auth/password', '/v2/auth/signout/']) {
    const missing = await send('POST', path);
    t.equal(missing.statusCode, 401, path);
    t.same(missing.json(), { code: 401, message: 'Требуется авторизация' }, path);
    t.equal(missing.headers['www-authenticate'], 'Bearer realm="propusk"');
    for (const [what, authorization] of [
      ['a document 001 token', `Bearer ${await signEnvelope(key)}`],
      ['an expired token', `Bearer ${await signV2(key, { iat: nowS() - 90_000, exp: nowS() - 60 })}`],
      ['a foreign audience', `Bearer ${await signV2(key, { aud: 'propusk:v1' })}`],
      ['garbage', 'Bearer garbage'],
      ['bare garbage (no scheme)', 'garbage'],
      ['a bare document 001 token', await signEnvelope(key)],
    ] as const) {
      const res = await send('POST', path, { headers: { authorization } });
      t.equal(res.statusCode, 401, `${path}: ${what}`);
      t.same(res.json(), { code: 401, message: 'Недействительный токен' }, `${path}: ${what}`);
      t.match(res.headers['www-authenticate'], /error="invalid_token"/);
    }
  }
  t.equal(seen.length, 0, 'nothing proxied');
});

t.test('a valid v2 token: proxied with the identity headers', async (t) => {
  const { key, send, seen } = await setup(t);
  const token = await signV2(key);
  const res = await send('POST', '/v2/auth/verification', {
    body: '{"login": "a@b.ru"}',
    headers: { ...spoofed, authorization: `Bearer ${token}` },
  });
  t.equal(res.statusCode, 200);
  t.match(last(seen), {
    service: 'identity',
    url: '/v2/auth/verification',
    body: '{"login": "a@b.ru"}',
    headers: {
      'x-propusk-subject': V2_ACCOUNT,
      'x-propusk-username': V2_ACCOUNT,
      'x-propusk-profile': 'v2',
      'x-propusk-token-id': tokenId(token),
      'x-propusk-roles': '',
      'x-propusk-token': token,
    },
  });
  t.equal(
    (await send('POST', '/v2/auth/password', { headers: { authorization: `Bearer ${token}` } })).statusCode,
    200,
  );
  t.equal(last(seen).service, 'identity');
});

t.test("document 003's bare Authorization header (the JWT, no scheme) is a v2 token too", async (t) => {
  const { key, send, seen } = await setup(t);
  const token = await signV2(key);
  for (const path of ['/v2/auth/verification', '/v2/auth/password', '/v2/auth/signout']) {
    const res = await send('POST', path, { body: '{"login": "a@b.ru"}', headers: { authorization: token } });
    t.equal(res.statusCode, 200, path);
    t.match(
      last(seen),
      {
        url: path,
        headers: { 'x-propusk-subject': V2_ACCOUNT, 'x-propusk-profile': 'v2', 'x-propusk-token': token },
      },
      `${path}: proxied with the identity headers`,
    );
  }
});

t.test('signout goes to the token service; the next request with the token is checked again', async (t) => {
  const { key, send, seen, revokedInRedis } = await setup(t);
  const token = await signV2(key);
  const bearer = { authorization: `Bearer ${token}` };
  t.equal(
    (await send('POST', '/v2/auth/verification', { headers: bearer })).statusCode,
    200,
    'verified, cached',
  );
  const out = await send('POST', '/v2/auth/signout', { headers: bearer, body: '' });
  t.equal(out.statusCode, 200);
  t.match(last(seen), { service: 'token', url: '/v2/auth/signout', headers: { 'x-propusk-token': token } });
  // The token service wrote its record before answering; the gateway forgot its verification.
  revokedInRedis.add(`revoked:${tokenId(token)}`);
  const after = await send('POST', '/v2/auth/verification', { headers: bearer });
  t.equal(after.statusCode, 401);
  t.same(after.json(), { code: 401, message: 'Недействительный токен' });
});

t.test('the gateway\'s own 413, 404 and 405 on v2 paths: {"code": <status>}', async (t) => {
  const { send, seen } = await setup(t);
  const big = await send('POST', '/v2/auth/registration', {
    body: JSON.stringify({ name: 'x'.repeat(17 * 1024) }),
  });
  t.equal(big.statusCode, 413);
  t.same(big.json(), { code: 413, message: 'Слишком большой запрос' });
  for (const [method, path] of [
    ['POST', '/v2/auth/nope'],
    ['POST', '/v2/auth'],
  ] as const) {
    const res = await send(method, path);
    t.equal(res.statusCode, 404, `${method} ${path}`);
    t.same(res.json(), { code: 404, message: 'Не найдено' }, `${method} ${path}`);
  }
  for (const [method, path] of [
    ['GET', '/v2/auth/registration'],
    ['GET', '/v2/auth/signout?token=x'],
    ['GET', '/v2/auth/%D1%81ode/'],
    ['HEAD', '/v2/auth/code'],
  ] as const) {
    const res = await send(method, path);
    t.equal(res.statusCode, 405, `${method} ${path}`);
    t.equal(res.headers.allow, 'POST', `${method} ${path}: Allow`);
    if (method !== 'HEAD') {
      t.same(
        res.json(),
        { code: 405, message: `Метод ${method} не разрешён, допустимые перечислены в заголовке Allow` },
        `${method} ${path}`,
      );
    }
  }
  t.equal(seen.length, 0);
});

t.test(
  'authorization: sign-in to identity, providers to federation, validation to the token service',
  async (t) => {
    const { send, seen } = await setup(t);
    const login = '{"email": "a@b.ru", "hash_password": '; // malformed: the service answers it
    const res = await send('POST', '/authorization/login/email', {
      body: login,
      headers: { ...spoofed, authorization: 'Bearer whatever' },
    });
    t.equal(res.statusCode, 200);
    t.match(last(seen), { service: 'identity', url: '/authorization/login/email', body: login });
    for (const h of IDENTITY_HEADER_NAMES) t.equal(last(seen).headers[h], undefined, `${h} stripped`);

    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJtb2RlIjoiYWNjZXNzX3Rva2VuIn0.c2ln';
    const targets: Array<[string, ServiceName]> = [
      ['/vk/link', 'federation'],
      [
        '/vk/callback?code=c0de&state=xxrDRfZ-b3o1bLq_ej9F&device_id=d1&expires_in=600&type=code_v2',
        'federation',
      ],
      ['/vk/get/token?code=c0de&device_id=d1', 'federation'],
      ['/mail.ru/registration?access_token=at%2Bx%3D%3D', 'federation'],
      ['/yandex/login/?access_token=y0_AgAA', 'federation'],
      [`/validate/jwt/access?access=${jwt}`, 'token'],
      [`/validate/jwt/refresh/?refresh=${jwt}`, 'token'],
      ['/validate/jwt/access?access=a%zz&next=..%2F..%2Fetc&x=%', 'token'],
    ];
    for (const [url, service] of targets) {
      const r = await send('GET', url, { headers: { authorization: 'Bearer not-checked-here' } });
      t.equal(r.statusCode, 200, url);
      t.match(last(seen), { service, method: 'GET', url }, `${url}: query intact`);
    }
  },
);

t.test('the gateway\'s own answers on document 002\'s paths: {"detail"}, 404 and 405', async (t) => {
  const { send, seen } = await setup(t);
  const big = await send('POST', '/authorization/registration', {
    body: JSON.stringify({ hash_password: 'x'.repeat(17 * 1024) }),
  });
  t.equal(big.statusCode, 413);
  t.same(big.json(), { detail: 'The request body is too large' });
  for (const [method, path] of [
    ['GET', '/vk/nope'],
    ['GET', '/mail.ru/get/tokens?code=x'],
  ] as const) {
    const res = await send(method, path);
    t.equal(res.statusCode, 404, `${method} ${path}`);
    t.same(res.json(), { detail: 'Not found' }, `${method} ${path}`);
  }
  for (const [method, path, allow] of [
    ['POST', '/vk/link', 'GET'],
    ['GET', '/authorization/registration', 'POST'],
    ['POST', '/validate/jwt/access/', 'GET'],
  ] as const) {
    const res = await send(method, path);
    t.equal(res.statusCode, 405, `${method} ${path}`);
    t.equal(res.headers.allow, allow, `${method} ${path}: Allow`);
    t.same(res.json(), { detail: `Method "${method}" not allowed` }, `${method} ${path}`);
  }
  // GET routes have no implicit HEAD twin: a HEAD never acts like the GET at a service.
  const head = await send('HEAD', '/vk/login?access_token=x');
  t.equal(head.statusCode, 405);
  t.equal(head.headers.allow, 'GET');
  t.equal(seen.length, 0);
});

t.test('a service down: 503 in each shape', async (t) => {
  const { send } = await setup(t, { down: true });
  const v2 = await send('POST', '/v2/auth/loginByPhone', { body: '{"phone_number":"+79123456789"}' });
  t.equal(v2.statusCode, 503);
  t.same(v2.json(), { code: 503, message: 'Сервис временно недоступен, повторите попытку позже' });
  const authz = await send('GET', '/validate/jwt/access?access=x.y.z');
  t.equal(authz.statusCode, 503);
  t.same(authz.json(), { detail: 'Service temporarily unavailable, retry later' });
});

t.test('logs never carry a query string', async (t) => {
  const lines: string[] = [];
  const log = createLogger({
    service: 'gateway-test',
    level: 'debug',
    destination: { write: (l) => void lines.push(l) },
  });
  const up = await setup(t, { log });
  const down = await setup(t, { log, down: true });
  await up.send('GET', '/validate/jwt/access?access=SECRET-ok');
  await up.send('POST', '/v2/auth/verification?token=SECRET-invalid', {
    headers: { authorization: 'Bearer bad' },
  });
  await up.send('GET', '/vk/nope?code=SECRET-404');
  await up.send('POST', '/authorization/registration?state=SECRET-413', { body: 'x'.repeat(17 * 1024) });
  await down.send('GET', '/validate/jwt/refresh?refresh=SECRET-down');
  const text = lines.join('');
  t.match(text, /upstream failed/, 'the upstream failure is logged');
  t.match(text, /access token not accepted/, 'the refused token is logged');
  t.match(text, /"path":"\/validate\/jwt\/access"/, 'request lines carry the path');
  t.notMatch(text, /SECRET/, 'no query value in any line');
  t.notMatch(text, /\?(access|token|code|state|refresh)=/, 'no query at all');
});
