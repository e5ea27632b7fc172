// Profile admin-telegram (document 000) at the gateway: its routes, the introspection strategy on
// the real authenticator (cache, revocation, fail closed), its {"message"} answers and 404s,
// and Telegram's webhook — against service stand-ins on real sockets.
import t from 'tap';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@propusk/kit';
import {
  PropuskError,
  SERVICE_NAMES,
  TELEGRAM_WEBHOOK_PATH,
  tokenId,
  type IntrospectionResult,
  type ServiceName,
} from '@propusk/contracts';
import { createAuthenticator } from '../src/auth/authenticator.js';
import { createVerifiedCache } from '../src/auth/cache.js';
import type { VerifiedToken } from '../src/auth/identity.js';
import { createRevocationList } from '../src/auth/revocation.js';
import { adminTelegramStrategy, drfStrategy, JWT_SHAPE } from '../src/auth/strategies.js';
import { registerNotFound } from '../src/not-found.js';
import { registerProxies } from '../src/proxy.js';
import { ROUTES } from '../src/routes/table.js';
import { b64url, silentLog } from './fixtures/jwt.js';

interface Seen {
  service: ServiceName;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const ACCOUNT = '7f1b7c1e-2a6f-4f53-9a43-0c1d2b3e4f50';
const exp = () => Math.floor(Date.now() / 1000) + 900;
/** HS256-shaped tokens as the token service would issue them (the gateway never checks the signature). */
const jwt = (claims: object) => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.${'s'.repeat(43)}`;
const ACCESS = jwt({ access_uuid: 'a-1', authorized: true, chat_id: 3546223, username: 'I0HuKc' });
const REFRESH = jwt({ chat_id: 3546223, refresh_uuid: 'r-1', username: 'I0HuKc' });
const ENVELOPE = jwt({ iss: 'digeocache', username: 'I0HuKc', admin: true });
const REVOKED = jwt({ access_uuid: 'a-2', username: 'I0HuKc' });

const active = (over: Partial<IntrospectionResult>): IntrospectionResult => ({
  active: true,
  sub: ACCOUNT,
  username: 'I0HuKc',
  profile: 'admin-telegram',
  token_type: 'access_token',
  roles: ['staff'],
  exp: exp(),
  ...over,
});

/** The token service's introspection as a map; `down` makes it unreachable. */
function fakeIntrospection() {
  const answers = new Map<string, IntrospectionResult>([
    [ACCESS, active({})],
    [REFRESH, active({ token_type: 'refresh_token' })],
    [ENVELOPE, active({ profile: 'envelope', sub: 'I0HuKc', roles: undefined })],
    [REVOKED, { active: false }],
  ]);
  const state = { calls: [] as string[], down: false, answers };
  const introspect = async (token: string): Promise<IntrospectionResult> => {
    state.calls.push(token);
    if (state.down) throw new PropuskError('unavailable', 'no token service');
    return answers.get(token) ?? { active: false };
  };
  return { state, introspect };
}

/** One stand-in per service: records what arrives, answers 200 JSON. */
async function upstreams(t: Tap, seen: Seen[]): Promise<Record<ServiceName, string>> {
  const urls: Partial<Record<ServiceName, string>> = {};
  for (const service of SERVICE_NAMES) {
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({
          service,
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"message":"successfully logged out"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.teardown(() => new Promise((r) => server.close(r)));
    urls[service] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return urls as Record<ServiceName, string>;
}

type Tap = { teardown(fn: () => unknown): void };

async function setup(t: Tap, opts: { upstreamsDown?: boolean } = {}) {
  const seen: Seen[] = [];
  const { state, introspect } = fakeIntrospection();
  const revokedInRedis = new Set<string>();
  const auth = createAuthenticator({
    strategies: {
      'admin-telegram': adminTelegramStrategy(introspect),
      drf: drfStrategy(introspect),
      envelope: { schemes: ['bearer'], verify: async () => Promise.reject(new Error('not in this test')) },
      v2: { schemes: ['bearer'], verify: async () => Promise.reject(new Error('not in this test')) },
    },
    revocations: createRevocationList({ exists: async (key) => revokedInRedis.has(key) }),
    cache: createVerifiedCache<VerifiedToken>({ max: 100 }),
    cacheTtlMs: 60_000,
  });
  const app = createHttpServer({ log: silentLog, readiness: {} });
  const urls = opts.upstreamsDown
    ? (Object.fromEntries(SERVICE_NAMES.map((s) => [s, 'http://127.0.0.1:9'])) as Record<ServiceName, string>)
    : await upstreams(t, seen);
  await registerProxies(app, ROUTES, { upstreams: urls, auth });
  registerNotFound(app, ROUTES);
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const post = (path: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: init.body ?? '{}',
    });
  const logout = (authorization?: string) =>
    post('/api/v1/admin/logout', { headers: authorization ? { authorization } : {} });
  return { base, post, logout, seen, state, auth, revokedInRedis };
}

async function message(res: Response): Promise<string> {
  const body = (await res.json()) as Record<string, unknown>;
  if (Object.keys(body).join() !== 'message') throw new Error(`not {"message"}: ${JSON.stringify(body)}`);
  return body.message as string;
}

t.test('the strategy: Bearer only, JWT-shaped, reused at most 10 s', async (t) => {
  const { introspect } = fakeIntrospection();
  const strategy = adminTelegramStrategy(introspect);
  t.same(strategy.schemes, ['bearer']);
  t.ok(strategy.cacheTtlMs !== undefined && strategy.cacheTtlMs <= 10_000, `cache ${strategy.cacheTtlMs} ms`);
  t.ok(JWT_SHAPE.test(ACCESS));
  for (const bad of ['a'.repeat(40), 'abc', 'a.b', 'a.b.c.d', 'a..c', 'a.b.c=', 'a.b.c+d']) {
    t.notOk(JWT_SHAPE.test(bad), bad);
  }
  t.match(await strategy.verify(ACCESS), {
    subject: ACCOUNT,
    username: 'I0HuKc',
    profile: 'admin-telegram',
    tokenId: tokenId(ACCESS),
    roles: ['staff'],
  });
});

t.test('registration and auth go to identity untouched, without a token check', async (t) => {
  const { post, seen, state } = await setup(t);
  for (const [path, body] of [
    ['/api/v1/admin/registration/code', '{"password": "4tfgefhey75uh", "username": "I0HuKc"}'],
    ['/api/v1/admin/registration', '{"code": 588227}'],
    ['/api/v1/admin/registration/', '{"code": '],
    ['/api/v1/admin/auth', '{"refresh_token": "eyJ.eyJ.sig"}'],
  ] as const) {
    const res = await post(path, {
      body,
      headers: { 'x-propusk-subject': 'spoofed', authorization: 'Bearer x' },
    });
    t.equal(res.status, 200, path);
    const last = seen.at(-1)!;
    t.match(last, { service: 'identity', method: 'POST', url: path, body }, path);
    t.equal(last.headers['x-propusk-subject'], undefined, 'client identity headers stripped');
    t.equal(last.headers['x-forwarded-for'], '127.0.0.1', 'the client address for per-IP limits');
  }
  t.equal(state.calls.length, 0, 'no introspection on routes without auth');
});

t.test(
  'logout with a valid access token: proxied to the token service with the identity headers',
  async (t) => {
    const { logout, seen } = await setup(t);
    const res = await logout(`Bearer ${ACCESS}`);
    t.equal(res.status, 200);
    t.same(await res.json(), { message: 'successfully logged out' });
    const last = seen.at(-1)!;
    t.equal(last.service, 'token');
    t.equal(last.url, '/api/v1/admin/logout');
    t.match(last.headers, {
      'x-propusk-subject': ACCOUNT,
      'x-propusk-username': 'I0HuKc',
      'x-propusk-profile': 'admin-telegram',
      'x-propusk-token-id': tokenId(ACCESS),
      'x-propusk-roles': 'staff',
      'x-propusk-token': ACCESS,
    });
  },
);

t.test('logout refusals: 401 {"message"}, never proxied', async (t) => {
  const { logout, seen, state } = await setup(t);
  const missing = await logout();
  t.equal(missing.status, 401);
  t.equal(missing.headers.get('www-authenticate'), 'Bearer realm="propusk"');
  t.match(await message(missing), /^an access token is required/);
  const cases: Array<[string, string]> = [
    [`Token ${ACCESS}`, 'missing'],
    [`Basic ${ACCESS}`, 'missing'],
    ['Bearer', 'invalid'],
    ['Bearer not/a+jwt', 'invalid'],
    [`Bearer ${'a'.repeat(40)}`, 'invalid'],
    [`Bearer ${REFRESH}`, 'invalid'],
    [`Bearer ${ENVELOPE}`, 'invalid'],
    [`Bearer ${REVOKED}`, 'invalid'],
    [`Bearer ${jwt({ unknown: true })}`, 'invalid'],
  ];
  for (const [authorization, kind] of cases) {
    const res = await logout(authorization);
    t.equal(res.status, 401, authorization);
    t.match(
      await message(res),
      kind === 'missing'
        ? /^an access token is required/
        : /^the access token is invalid, expired or revoked/,
      authorization,
    );
    if (kind === 'invalid' && authorization !== 'Bearer')
      t.match(res.headers.get('www-authenticate'), /error="invalid_token"/);
  }
  t.equal(seen.length, 0);
  t.notOk(state.calls.includes('a'.repeat(40)), 'a drf-shaped token is refused without a call');
  t.ok(state.calls.includes(REFRESH) && state.calls.includes(ENVELOPE), 'JWT-shaped ones are introspected');
});

t.test('introspection down: 503 {"message"} with Retry-After, fail closed', async (t) => {
  const { logout, seen, state } = await setup(t);
  state.down = true;
  const res = await logout(`Bearer ${ACCESS}`);
  t.equal(res.status, 503);
  t.equal(res.headers.get('retry-after'), '1');
  t.equal(await message(res), 'a service is temporarily unavailable; retry later');
  t.equal(seen.length, 0);
});

t.test('verifications are reused; logout, revocation events and Redis records end that', async (t) => {
  const { auth, logout, state, revokedInRedis } = await setup(t);
  const bearer = `Bearer ${ACCESS}`;
  t.match(await auth.authenticate('admin-telegram', bearer), { kind: 'verified' });
  t.match(await auth.authenticate('admin-telegram', bearer), { kind: 'verified' });
  t.equal(state.calls.filter((c) => c === ACCESS).length, 1, 'the second check is a cache hit');

  // The token service revokes on logout: its introspection says inactive from then on.
  t.equal((await logout(bearer)).status, 200);
  state.answers.set(ACCESS, { active: false });
  const after = await logout(bearer);
  t.equal(after.status, 401, 'the logout route dropped the cached verification');
  t.match(await message(after), /invalid, expired or revoked/);

  const other = jwt({ access_uuid: 'a-3', username: 'I0HuKc' });
  state.answers.set(other, active({}));
  t.match(await auth.authenticate('admin-telegram', `Bearer ${other}`), { kind: 'verified' });
  auth.revoked({ jti: tokenId(other), profile: 'admin-telegram', exp: exp() });
  t.match(await auth.authenticate('admin-telegram', `Bearer ${other}`), {
    kind: 'rejected',
    reason: 'invalid',
  });

  const third = jwt({ access_uuid: 'a-4', username: 'I0HuKc' });
  state.answers.set(third, active({}));
  revokedInRedis.add(`revoked:${tokenId(third)}`);
  t.match(await auth.authenticate('admin-telegram', `Bearer ${third}`), {
    kind: 'rejected',
    reason: 'invalid',
  });
});

t.test("the gateway's own 413, 503, 404 and 405 on document 000's paths", async (t) => {
  const { post, base, seen } = await setup(t);
  const big = await post('/api/v1/admin/auth', { body: JSON.stringify({ password: 'x'.repeat(17 * 1024) }) });
  t.equal(big.status, 413);
  t.equal(await message(big), 'the request body is too large');
  t.equal(seen.length, 0);

  for (const [method, path] of [
    ['POST', '/api/v1/admin/nope'],
    ['POST', '/api/v1/admin'],
  ]) {
    const res = await fetch(`${base}${path}`, { method });
    t.equal(res.status, 404, `${method} ${path}`);
    t.equal(await message(res), 'not found', `${method} ${path}`);
  }
  for (const [method, path] of [
    ['GET', '/api/v1/admin/auth'],
    ['GET', '/api/v1/admin/logout/'],
    ['DELETE', '/api/v1/admin/registration/code'],
  ]) {
    const res = await fetch(`${base}${path}`, { method });
    t.equal(res.status, 405, `${method} ${path}`);
    t.equal(res.headers.get('allow'), 'POST', `${method} ${path}: Allow`);
    t.equal(
      await message(res),
      `method ${method} is not allowed here; the Allow header lists the methods that are`,
      `${method} ${path}`,
    );
  }
  // Next to document 000's prefix, /api/v1/ is document 004's: its 404 shape.
  const elsewhere = await fetch(`${base}/api/v1/nope`);
  t.equal(elsewhere.status, 404);
  t.same(await elsewhere.json(), { result: { status: 404, message: 'Не найдено.' }, data: {} });

  const down = await setup(t, { upstreamsDown: true });
  const res = await down.post('/api/v1/admin/registration/code', { body: '{}' });
  t.equal(res.status, 503);
  t.equal(await message(res), 'a service is temporarily unavailable; retry later');
});

t.test("Telegram's webhook reaches the notification service with its secret header", async (t) => {
  const { post, seen, state } = await setup(t);
  const update = JSON.stringify({ update_id: 1, message: { chat: { id: 3546223 }, text: '/start' } });
  const res = await post(TELEGRAM_WEBHOOK_PATH, {
    body: update,
    headers: { 'x-telegram-bot-api-secret-token': 'hook-secret' },
  });
  t.equal(res.status, 200);
  t.match(seen.at(-1), {
    service: 'notification',
    url: TELEGRAM_WEBHOOK_PATH,
    body: update,
    headers: { 'x-telegram-bot-api-secret-token': 'hook-secret' },
  });
  t.equal(state.calls.length, 0);
});
