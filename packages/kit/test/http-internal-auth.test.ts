// Kit's HTTP bootstrap in a service: the gateway's signature before anything runs, the probes
// left open, /metrics behind its bearer token; and in the gateway, the trusted proxies.
import t from 'tap';
import { Writable } from 'node:stream';
import { IDENTITY_HEADERS } from '@propusk/contracts';
import { createHttpServer, createLogger, SIGNATURE_HEADER, signedHeaders } from '../src/index.js';

const SECRET = 'internal-secret-for-tests-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';

function service(opts: { metricsToken?: string } = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  const log = createLogger({ service: 'test', destination });
  const app = createHttpServer({ log, readiness: {}, internalSecret: SECRET, ...opts });
  const ran: string[] = [];
  app.addHook('onRequest', async () => void ran.push('hook'));
  app.post('/work', async (req) => {
    ran.push('handler');
    return { subject: req.headers[IDENTITY_HEADERS.subject] ?? null };
  });
  return { app, ran, lines };
}

t.test('a service refuses unsigned requests with 401 before any hook or handler runs', async (t) => {
  const { app, ran, lines } = service();
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/work',
    headers: { [IDENTITY_HEADERS.subject]: 'forged', 'content-type': 'application/json' },
    payload: '{not json',
  });
  t.equal(res.statusCode, 401);
  t.match(res.json(), { error: 'unauthorized' });
  t.ok(res.headers['x-request-id'], 'with its request id');
  t.same(ran, [], 'no later hook, no body parsing, no handler');
  const refused = lines.find((l) => l.msg === 'request without a valid gateway signature refused');
  t.match(refused, { reason: 'missing', method: 'POST', path: '/work' });
  t.notMatch(JSON.stringify(lines), SECRET, 'the secret is never logged');

  const unknown = await app.inject({ method: 'GET', url: '/no/such/path' });
  t.equal(unknown.statusCode, 401, 'unknown paths too: nothing is told before the signature');
});

t.test('a signed request runs; a header changed after signing does not', async (t) => {
  const { app, ran, lines } = service();
  t.teardown(() => app.close());
  const headers = signedHeaders(SECRET, 'POST', '/work', {
    [IDENTITY_HEADERS.subject]: 'acc-1',
    'x-forwarded-for': '203.0.113.9',
  });
  const ok = await app.inject({ method: 'POST', url: '/work', headers });
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { subject: 'acc-1' });
  t.same(ran, ['hook', 'handler']);
  t.match(
    lines.find((l) => l.msg === 'request'),
    { path: '/work', status: 200, client: '203.0.113.9' },
    'the request line names the client address the gateway signed',
  );

  const forged = await app.inject({
    method: 'POST',
    url: '/work',
    headers: { ...headers, [IDENTITY_HEADERS.subject]: 'someone-else' },
  });
  t.equal(forged.statusCode, 401);
  const stale = await app.inject({
    method: 'POST',
    url: '/work',
    headers: signedHeaders(SECRET, 'POST', '/work', {}, Date.now() - 60_000),
  });
  t.equal(stale.statusCode, 401);
  const foreign = await app.inject({
    method: 'POST',
    url: '/work',
    headers: signedHeaders(`${SECRET}-not-ours`, 'POST', '/work'),
  });
  t.equal(foreign.statusCode, 401);
  t.same(ran, ['hook', 'handler'], 'none of them ran anything');
});

t.test('probes answer unsigned; /metrics wants its bearer token, and is absent without one', async (t) => {
  const { app } = service({ metricsToken: METRICS_TOKEN });
  t.teardown(() => app.close());
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/readyz/' })).statusCode, 200);
  const bare = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(bare.statusCode, 401);
  t.equal(bare.headers['www-authenticate'], 'Bearer realm="metrics"');
  const wrong = await app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
  });
  t.equal(wrong.statusCode, 401);
  const signedOnly = await app.inject({
    method: 'GET',
    url: '/metrics',
    headers: signedHeaders(SECRET, 'GET', '/metrics'),
  });
  t.equal(signedOnly.statusCode, 401, "the gateway's signature is not the metrics credential");
  const right = await app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `bearer ${METRICS_TOKEN}` },
  });
  t.equal(right.statusCode, 200);
  t.match(right.body, /propusk_http_request_duration_seconds/);

  const none = service();
  t.teardown(() => none.app.close());
  const res = await none.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${METRICS_TOKEN}`, ...signedHeaders(SECRET, 'GET', '/metrics') },
  });
  t.equal(res.statusCode, 404, 'no METRICS_TOKEN: no /metrics');
});

t.test('the gateway: X-Forwarded-For counts only from a trusted proxy', async (t) => {
  const make = (trustProxy: string[]) => {
    const app = createHttpServer({
      log: createLogger({ service: 'test', level: 'silent' }),
      readiness: {},
      trustProxy,
    });
    app.get('/ip', async (req) => ({ ip: req.ip, signature: req.headers[SIGNATURE_HEADER] ?? null }));
    t.teardown(() => app.close());
    return app;
  };
  const xff = { 'x-forwarded-for': '198.51.100.1, 203.0.113.5, 10.0.0.3' };
  const behind = make(['127.0.0.1', '10.0.0.0/8']);
  const trusted = await behind.inject({
    method: 'GET',
    url: '/ip',
    headers: xff,
    remoteAddress: '127.0.0.1',
  });
  t.equal(trusted.json().ip, '203.0.113.5', 'the right-most hop no trusted proxy added');
  const direct = await behind.inject({ method: 'GET', url: '/ip', headers: xff, remoteAddress: '192.0.2.8' });
  t.equal(direct.json().ip, '192.0.2.8', 'an untrusted peer is the client, whatever it sends');
  const edge = make([]);
  const none = await edge.inject({ method: 'GET', url: '/ip', headers: xff, remoteAddress: '127.0.0.1' });
  t.equal(none.json().ip, '127.0.0.1', 'no trusted proxies: the socket address');
});
