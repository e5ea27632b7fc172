// The gateway signs what it forwards (kit's internal-auth.ts), and forwards as the client's
// address what its trusted proxies name: a real kit service behind a real gateway instance.
import t from 'tap';
import type { AddressInfo } from 'node:net';
import { IDENTITY_HEADERS, SERVICE_NAMES, type ServiceName } from '@propusk/contracts';
import { createHttpServer, SIGNATURE_HEADER } from '@propusk/kit';
import { registerProxies } from '../src/proxy.js';
import { ROUTES } from '../src/routes/table.js';
import { allowAll } from './fixtures/allow-all.js';
import { silentLog } from './fixtures/jwt.js';

const SECRET = 'internal-secret-for-tests-0123456789abcdef';

type Tap = { teardown(fn: () => unknown): void };

const listen = async (t: Tap, app: ReturnType<typeof createHttpServer>) => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
};

/** A service on kit's bootstrap (the signature required) that echoes what it was handed. */
async function service(t: Tap): Promise<string> {
  const app = createHttpServer({ log: silentLog, readiness: {}, internalSecret: SECRET });
  app.all('/*', async (req) => ({
    url: req.url,
    client: req.headers['x-forwarded-for'],
    subject: req.headers[IDENTITY_HEADERS.subject] ?? null,
  }));
  return listen(t, app);
}

async function gateway(t: Tap, upstream: string, opts: { trustProxy?: string[]; sign?: boolean } = {}) {
  const app = createHttpServer({ log: silentLog, readiness: {}, trustProxy: opts.trustProxy ?? [] });
  const upstreams = Object.fromEntries(SERVICE_NAMES.map((s) => [s, upstream])) as Record<
    ServiceName,
    string
  >;
  await registerProxies(app, ROUTES, {
    upstreams,
    auth: allowAll,
    ...(opts.sign === false ? {} : { internalSecret: SECRET }),
  });
  return listen(t, app);
}

t.test('what the gateway forwards is signed: the service accepts it, with its identity', async (t) => {
  const upstream = await service(t);
  const url = await gateway(t, upstream);
  const cases: Array<[string, string, RequestInit]> = [
    ['a login (no token)', '/api/v1/login/', { method: 'POST', body: '{}' }],
    [
      'a logout (identity headers)',
      '/api/v1/logout/',
      { method: 'POST', headers: { authorization: 'Token t' }, body: '{}' },
    ],
    ['a query carrying a token', '/validate/jwt/access?access=a.b%2Ec&x=%7E', { method: 'GET' }],
    ['the Cyrillic code path', '/v2/auth/%D1%81ode', { method: 'POST', body: '{}' }],
  ];
  for (const [what, path, init] of cases) {
    const res = await fetch(`${url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: 't=1,v1=forged', ...init.headers },
    });
    t.equal(res.status, 200, what);
    const body = (await res.json()) as { url: string; client: string; subject: string | null };
    t.equal(body.url, path, `${what}: the target as the client sent it`);
    t.equal(body.client, '127.0.0.1', `${what}: the client address`);
  }
  const logout = await fetch(`${url}/api/v1/logout/`, {
    method: 'POST',
    headers: { authorization: 'Token t' },
  });
  t.match(await logout.json(), { subject: 's' }, 'the identity of the verified token');
});

t.test('a gateway that does not sign is refused by every route of the service', async (t) => {
  const upstream = await service(t);
  const url = await gateway(t, upstream, { sign: false });
  const res = await fetch(`${url}/api/v1/login/`, { method: 'POST', body: '{}' });
  t.equal(res.status, 401);
});

t.test('the client address: from a trusted proxy its X-Forwarded-For, else the peer', async (t) => {
  const upstream = await service(t);
  const spoofed = { 'x-forwarded-for': '198.51.100.1, 203.0.113.5', forwarded: 'for=192.0.2.60' };
  const behind = await gateway(t, upstream, { trustProxy: ['127.0.0.1'] });
  const trusted = await fetch(`${behind}/api/v1/login/`, { method: 'POST', headers: spoofed, body: '{}' });
  t.match(await trusted.json(), { client: '203.0.113.5' }, 'the right-most hop the proxy did not add');

  const edge = await gateway(t, upstream, { trustProxy: ['10.0.0.0/8'] });
  const direct = await fetch(`${edge}/api/v1/login/`, { method: 'POST', headers: spoofed, body: '{}' });
  t.match(await direct.json(), { client: '127.0.0.1' }, 'an untrusted peer: its headers change nothing');
});
