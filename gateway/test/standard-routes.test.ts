// The standard endpoints at the gateway (DESIGN: "Beyond the documents"): discovery, JWKS,
// RFC 7662 introspection and RFC 7009 revocation go to the token service untouched — the
// caller's Basic credentials and form body included — and the gateway's own failures there
// take RFC 6749 §5.2's shape. Against service stand-ins on real sockets.
import t from 'tap';
import { createHttpServer } from '@propusk/kit';
import { IDENTITY_HEADER_NAMES } from '@propusk/contracts';
import type { Authenticator } from '../src/auth/authenticator.js';
import { failureAnswer } from '../src/profiles/answers.js';
import { registerProxies } from '../src/proxy.js';
import { registerNotFound } from '../src/not-found.js';
import { ROUTES } from '../src/routes/table.js';
import { silentLog } from './fixtures/jwt.js';
import { DOWN, serviceStandIns, type Teardown } from './fixtures/services.js';

/** No standard route may check an access token: any call to the authenticator fails the test. */
function refusingAuthenticator(calls: string[]): Authenticator {
  return {
    supports: () => true,
    authenticate: async (profile) => {
      calls.push(profile);
      throw new Error('the standard endpoints check no access token at the gateway');
    },
    forget: () => {},
    revoked: () => {},
    reset: () => {},
  };
}

async function gateway(t: Teardown, opts: { down?: boolean } = {}) {
  const calls: string[] = [];
  const stands = opts.down ? { urls: DOWN, seen: [] } : await serviceStandIns(t);
  const app = createHttpServer({ log: silentLog, readiness: {} });
  await registerProxies(app, ROUTES, { upstreams: stands.urls, auth: refusingAuthenticator(calls) });
  registerNotFound(app, ROUTES);
  t.teardown(() => app.close());
  return { app, seen: stands.seen, calls };
}

const BASIC = `Basic ${Buffer.from('resource-server:0123456789abcdef').toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';
const spoofed = Object.fromEntries(IDENTITY_HEADER_NAMES.map((h) => [h, 'spoofed']));

t.test(
  'introspection and revocation reach the token service with the credentials and body as sent',
  async (t) => {
    const { app, seen, calls } = await gateway(t);
    for (const path of ['/oauth2/introspect', '/oauth2/revoke', '/oauth2/revoke/']) {
      const body = 'token=eyJhbGciOiJSUzI1NiJ9.e30.c2ln&token_type_hint=access_token';
      const res = await app.inject({
        method: 'POST',
        url: path,
        headers: { authorization: BASIC, 'content-type': FORM, ...spoofed },
        payload: body,
      });
      t.equal(res.statusCode, 200, path);
      const got = seen.at(-1);
      t.match(got, { service: 'token', method: 'POST', url: path, body }, path);
      t.equal(
        got?.headers.authorization,
        BASIC,
        'the client credentials go on: the token service checks them',
      );
      t.equal(got?.headers['content-type'], FORM);
      for (const h of IDENTITY_HEADER_NAMES)
        t.notOk(got?.headers[h], `${h} is never forwarded from a client`);
    }
    t.strictSame(calls, [], 'no access-token check');
  },
);

t.test('discovery and JWKS: GET to the token service, no credentials needed', async (t) => {
  const { app, seen, calls } = await gateway(t);
  for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
    const res = await app.inject({ method: 'GET', url: path });
    t.equal(res.statusCode, 200, path);
    t.match(seen.at(-1), { service: 'token', method: 'GET', url: path });
    const post = await app.inject({ method: 'POST', url: path, payload: '' });
    t.equal(post.statusCode, 405, `POST ${path} is not routed`);
    t.equal(post.headers.allow, 'GET', `POST ${path}: Allow`);
    t.same(post.json(), { error: 'invalid_request', error_description: 'method POST not allowed' });
  }
  const get = await app.inject({ method: 'GET', url: '/oauth2/introspect' });
  t.equal(get.statusCode, 405, 'introspection is POST only (RFC 7662 §2.1)');
  t.equal(get.headers.allow, 'POST');
  t.strictSame(calls, []);
});

t.test("the gateway's own failures there are RFC 6749 §5.2 errors", async (t) => {
  const { app } = await gateway(t, { down: true });
  const res = await app.inject({
    method: 'POST',
    url: '/oauth2/introspect',
    headers: { authorization: BASIC, 'content-type': FORM },
    payload: 'token=x',
  });
  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '1');
  t.strictSame(res.json(), {
    error: 'temporarily_unavailable',
    error_description: 'service unavailable; retry later',
  });
  const jwks = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  t.equal(jwks.statusCode, 503);
  t.equal(jwks.json().error, 'temporarily_unavailable');

  const { app: up } = await gateway(t);
  const big = await up.inject({
    method: 'POST',
    url: '/oauth2/revoke',
    headers: { authorization: BASIC, 'content-type': FORM },
    payload: `token=${'a'.repeat(17 * 1024)}`,
  });
  t.equal(big.statusCode, 413);
  t.strictSame(big.json(), { error: 'invalid_request', error_description: 'the request body is too large' });
});

t.test('failureAnswer: the standard shape for every failure', async (t) => {
  t.strictSame(failureAnswer('standard', 'bad_request'), {
    status: 400,
    headers: {},
    body: { error: 'invalid_request', error_description: 'the request is malformed' },
  });
  t.match(failureAnswer('standard', 'missing_credentials'), {
    status: 401,
    headers: { 'www-authenticate': 'Basic realm="propusk"' },
    body: { error: 'invalid_client' },
  });
  t.match(failureAnswer('standard', 'timeout'), { status: 504, body: { error: 'temporarily_unavailable' } });
  t.match(failureAnswer('standard', 'internal'), { status: 500, body: { error: 'server_error' } });
});
