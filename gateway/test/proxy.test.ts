import t from 'tap';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@propusk/kit';
import { IDENTITY_HEADER_NAMES, SERVICE_NAMES, type ServiceName } from '@propusk/contracts';
import { registerProxies } from '../src/proxy.js';
import type { Authenticator, AuthOutcome } from '../src/auth/authenticator.js';
import { ROUTES } from '../src/routes/table.js';
import { silentLog } from './fixtures/jwt.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A service stand-in: records what arrives, answers 200 JSON. */
async function upstream(): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"upstream"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const VALID_DRF = 'a'.repeat(40);
const VALID_ENVELOPE = 'eyJhbGciOiJSUzI1NiJ9.eyJ1IjoxfQ.c2ln';

/** Outcomes by raw Authorization header. */
function stubAuth(): Authenticator & { forgotten: string[]; down: boolean } {
  const stub = {
    forgotten: [] as string[],
    down: false,
    supports: () => true,
    async authenticate(profile: string, header: string | string[] | undefined): Promise<AuthOutcome> {
      if (stub.down) return { kind: 'rejected', reason: 'unavailable', detail: 'redis down' };
      if (header === undefined) return { kind: 'rejected', reason: 'missing', detail: '' };
      const token = String(header).split(' ')[1] ?? '';
      const ok =
        (profile === 'drf' && token === VALID_DRF) || (profile === 'envelope' && token === VALID_ENVELOPE);
      if (!ok) return { kind: 'rejected', reason: 'invalid', detail: 'bad' };
      return {
        kind: 'verified',
        token,
        identity: {
          subject: 'acc-1',
          username: profile === 'drf' ? 'staff1' : 'Пётр',
          profile: profile as 'drf',
          tokenId: `id-of-${token.slice(0, 4)}`,
          roles: ['staff', 'admin'],
          expiresAtMs: Date.now() + 60_000,
        },
      };
    },
    forget: (id: string) => void stub.forgotten.push(id),
    revoked: () => {},
    reset: () => {},
  };
  return stub;
}

async function gateway(t: Tap, upstreamUrl: string, auth: Authenticator) {
  const app = createHttpServer({ log: silentLog, readiness: {} });
  const upstreams = Object.fromEntries(SERVICE_NAMES.map((s) => [s, upstreamUrl])) as Record<
    ServiceName,
    string
  >;
  await registerProxies(app, ROUTES, { upstreams, auth });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

type Tap = { teardown(fn: () => unknown): void };

async function setup(t: Tap) {
  const up = await upstream();
  t.teardown(() => new Promise((r) => up.server.close(r)));
  const auth = stubAuth();
  const url = await gateway(t, up.url, auth);
  return { url, up, auth };
}

t.test('bodies are not parsed: malformed JSON and any content type arrive byte for byte', async (t) => {
  const { url, up } = await setup(t);
  const bodies: Array<[string, string]> = [
    ['{"username": "staff1", "password": ', 'application/json'],
    ['{"username":"staff1","password":"qwerty123"}', 'application/json; charset=utf-8'],
    ['username=staff1&password=x', 'application/x-www-form-urlencoded'],
    ['плохой json', 'text/plain'],
    ['', 'application/json'],
  ];
  for (const [body, type] of bodies) {
    const res = await fetch(`${url}/api/v1/login/`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    t.equal(res.status, 200, `${type} ${JSON.stringify(body)}`);
    const seen = up.seen.at(-1)!;
    t.equal(seen.body, body);
    t.equal(seen.headers['content-type'], type);
    t.equal(seen.url, '/api/v1/login/');
  }
});

t.test("a body over 16 KiB: 413 in the route's profile shape, never proxied", async (t) => {
  const { url, up } = await setup(t);
  const big = JSON.stringify({ username: 'x', password: 'y'.repeat(17 * 1024) });
  const drf = await fetch(`${url}/api/v1/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: big,
  });
  t.equal(drf.status, 413);
  t.same(await drf.json(), { result: { status: 413, message: 'Слишком большой запрос.' }, data: {} });
  const env = await fetch(`${url}/api/v1/auth/user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: big,
  });
  t.equal(env.status, 413);
  t.same(await env.json(), { data: {}, errors: [{ code: 3001, message: 'request body too large' }] });
  t.equal(up.seen.length, 0);
  const fits = await fetch(`${url}/api/v1/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: 'x'.repeat(16 * 1024),
  });
  t.equal(fits.status, 200, 'exactly 16 KiB passes');
});

t.test('client identity and forwarding headers never reach a service', async (t) => {
  const { url, up } = await setup(t);
  const spoofed: Record<string, string> = Object.fromEntries(
    IDENTITY_HEADER_NAMES.map((h) => [h, 'spoofed']),
  );
  await fetch(`${url}/api/v1/login/`, {
    method: 'POST',
    headers: {
      ...spoofed,
      'x-forwarded-for': '6.6.6.6',
      forwarded: 'for=6.6.6.6',
      'x-real-ip': '6.6.6.6',
      'content-type': 'application/json',
    },
    body: '{}',
  });
  let seen = up.seen.at(-1)!;
  for (const h of IDENTITY_HEADER_NAMES) t.equal(seen.headers[h], undefined, `${h} stripped (auth none)`);
  t.equal(seen.headers['x-forwarded-for'], '127.0.0.1', 'the gateway sets the client address');
  t.equal(seen.headers.forwarded, undefined);
  t.equal(seen.headers['x-real-ip'], undefined);
  t.match(seen.headers['x-request-id'], /.+/);

  await fetch(`${url}/api/v1/logout/`, {
    method: 'POST',
    headers: { ...spoofed, authorization: 'Bearer nope' },
  });
  seen = up.seen.at(-1)!;
  for (const h of IDENTITY_HEADER_NAMES)
    t.equal(seen.headers[h], undefined, `${h} stripped (optional, invalid token)`);
});

t.test('a verified token adds the identity headers (non-ASCII percent-encoded)', async (t) => {
  const { url, up } = await setup(t);
  const res = await fetch(`${url}/api/v1/accounts/check_token`, {
    method: 'POST',
    headers: {
      authorization: `Token ${VALID_DRF}`,
      'x-propusk-username': 'admin',
      'content-type': 'application/json',
    },
    body: '{"username":"staff1"}',
  });
  t.equal(res.status, 200);
  const seen = up.seen.at(-1)!;
  t.equal(seen.url, '/api/v1/accounts/check_token');
  t.equal(seen.body, '{"username":"staff1"}');
  t.match(seen.headers, {
    'x-propusk-subject': 'acc-1',
    'x-propusk-username': 'staff1',
    'x-propusk-profile': 'drf',
    'x-propusk-token-id': 'id-of-aaaa',
    'x-propusk-roles': 'staff,admin',
    'x-propusk-token': VALID_DRF,
  });
  await fetch(`${url}/api/v1/auth/logout/`, { headers: { authorization: `Bearer ${VALID_ENVELOPE}` } });
  const env = up.seen.at(-1)!;
  t.equal(env.method, 'GET');
  t.equal(decodeURIComponent(String(env.headers['x-propusk-username'])), 'Пётр');
  t.equal(env.headers['x-propusk-profile'], 'envelope');
});

t.test('auth required: 401 in the profile shape for a missing or invalid token', async (t) => {
  const { url, up } = await setup(t);
  for (const path of ['/api/v1/check_token/', '/api/v1/accounts/check_token', '/api/v1/check_token']) {
    const missing = await fetch(`${url}${path}`, {
      method: 'POST',
      body: '{"username":"staff1"}',
      headers: { 'content-type': 'application/json' },
    });
    t.equal(missing.status, 401);
    t.same(await missing.json(), {
      result: { status: 401, message: 'Учетные данные не были предоставлены.' },
      data: {},
    });
    t.match(missing.headers.get('www-authenticate'), /^Bearer/);
    const invalid = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Token ${'f'.repeat(40)}` },
    });
    t.equal(invalid.status, 401);
    t.same(await invalid.json(), { result: { status: 401, message: 'Недопустимый токен.' }, data: {} });
  }
  t.equal(up.seen.length, 0);
});

t.test('auth optional: missing or invalid tokens are proxied without identity', async (t) => {
  const { url, up } = await setup(t);
  for (const authorization of [undefined, 'Bearer wrong', `Token ${'f'.repeat(40)}`]) {
    const res = await fetch(`${url}/api/v1/logout/`, {
      method: 'POST',
      headers: authorization ? { authorization } : {},
    });
    t.equal(res.status, 200);
    t.equal(up.seen.at(-1)!.headers['x-propusk-token'], undefined);
  }
  const env = await fetch(`${url}/api/v1/auth/logout`, { headers: { authorization: 'Bearer garbage' } });
  t.equal(env.status, 200, 'envelope logout is answered by the service');
  t.equal(up.seen.at(-1)!.headers['x-propusk-token'], undefined);
});

t.test('dependency down: 503 in the profile shape (optional and required alike)', async (t) => {
  const { url, up, auth } = await setup(t);
  auth.down = true;
  const drf = await fetch(`${url}/api/v1/logout/`, {
    method: 'POST',
    headers: { authorization: `Token ${VALID_DRF}` },
  });
  t.equal(drf.status, 503);
  t.same(await drf.json(), {
    result: { status: 503, message: 'Сервис временно недоступен, попробуйте позже.' },
    data: {},
  });
  const env = await fetch(`${url}/api/v1/auth/logout/`, {
    headers: { authorization: `Bearer ${VALID_ENVELOPE}` },
  });
  t.equal(env.status, 503);
  t.same(await env.json(), { data: {}, errors: [{ code: 3002, message: 'service unavailable' }] });
  t.equal(up.seen.length, 0);
  const login = await fetch(`${url}/api/v1/login/`, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  t.equal(login.status, 200, 'routes without auth do not depend on token checks');
});

t.test('an unreachable service: 503 in the profile shape', async (t) => {
  const auth = stubAuth();
  const url = await gateway(t, 'http://127.0.0.1:9', auth);
  const drf = await fetch(`${url}/api/v1/login/`, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  t.equal(drf.status, 503);
  t.match(await drf.json(), { result: { status: 503 }, data: {} });
  const env = await fetch(`${url}/api/v1/auth/admin/`, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  t.equal(env.status, 503);
  t.same(await env.json(), { data: {}, errors: [{ code: 3001, message: 'service unavailable' }] });
});

t.test('a logout answered by the service makes the gateway forget the token', async (t) => {
  const { url, auth } = await setup(t);
  await fetch(`${url}/api/v1/accounts/logout/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${VALID_DRF}` },
  });
  await fetch(`${url}/api/v1/auth/logout/`, { headers: { authorization: `Bearer ${VALID_ENVELOPE}` } });
  t.same(auth.forgotten, ['id-of-aaaa', `id-of-${VALID_ENVELOPE.slice(0, 4)}`]);
  await fetch(`${url}/api/v1/check_token/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${VALID_DRF}` },
  });
  t.equal(auth.forgotten.length, 2, 'other routes do not');
});

t.test('methods and unknown paths', async (t) => {
  const { url } = await setup(t);
  const wrong = await fetch(`${url}/api/v1/login/`);
  t.equal(wrong.status, 404, 'GET on a POST route is not in the documented space');
  const query = await fetch(`${url}/api/v1/login/?next=x`, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  t.equal(query.status, 200, 'query strings pass');
});
