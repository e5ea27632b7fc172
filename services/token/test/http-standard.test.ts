import t from 'tap';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { FastifyInstance } from 'fastify';
import { DISCOVERY_PATH, JWKS_PATH } from '../src/profiles/well-known/metadata.js';
import { ADMIN, ALICE, ANDREJ, buildDomain, DRF_ISSUER, STAFF, V2_ISSUER } from './fixtures/domain.js';
import { basic, buildStandardApp, CLIENT } from './fixtures/http.js';

/**
 * The standard endpoints on the token service's HTTP surface (app.inject, fake stores): the
 * discovery document (OpenID Connect Discovery 1.0 §3, RFC 8414 §2), the JWK Set (RFC 7517),
 * RFC 7662 introspection and RFC 7009 revocation with their client authentication and errors.
 */
const ISSUER = 'https://auth.example';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const AUTH = { authorization: basic(CLIENT.id, CLIENT.secret) };

async function setup(t: { teardown(fn: () => unknown): void }, opts: { clients?: string } = {}) {
  const d = await buildDomain();
  const app = await buildStandardApp(d, { issuer: ISSUER, ...opts });
  t.teardown(() => app.close());
  return { d, app };
}

function post(app: FastifyInstance, url: string, payload: string, headers: Record<string, string> = AUTH) {
  return app.inject({ method: 'POST', url, headers: { ...FORM, ...headers }, payload });
}

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

async function introspect(app: FastifyInstance, token: string, extra: Record<string, string> = {}) {
  const res = await post(app, '/oauth2/introspect', form({ token, ...extra }));
  if (res.statusCode !== 200) throw new Error(`introspect answered ${res.statusCode}: ${res.body}`);
  return res.json() as Record<string, unknown>;
}

/** OpenID Connect Discovery 1.0 §3: the REQUIRED members Propusk can honestly fill. */
const DISCOVERY_REQUIRED = [
  'issuer',
  'jwks_uri',
  'response_types_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
];

t.test('discovery: the REQUIRED members, every endpoint under the issuer and served', async (t) => {
  const { app } = await setup(t);
  const res = await app.inject({ method: 'GET', url: DISCOVERY_PATH });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  t.match(res.headers['cache-control'], /^public, max-age=\d+$/);
  const doc = res.json() as Record<string, unknown>;
  for (const m of DISCOVERY_REQUIRED) t.ok(m in doc, `${m} present`);
  // §4.3: the issuer is exactly the URL the document was fetched under, minus the path.
  const servedAt = new URL(`${ISSUER}${DISCOVERY_PATH}`);
  t.equal(doc.issuer, servedAt.href.slice(0, -DISCOVERY_PATH.length));
  t.strictSame(doc, {
    issuer: ISSUER,
    jwks_uri: `${ISSUER}/.well-known/jwks.json`,
    introspection_endpoint: `${ISSUER}/oauth2/introspect`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint: `${ISSUER}/oauth2/revoke`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    response_types_supported: [],
    grant_types_supported: [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  });
  t.ok(
    (doc.id_token_signing_alg_values_supported as string[]).includes('RS256'),
    '§3: RS256 MUST be included',
  );
  t.notOk('authorization_endpoint' in doc, 'no authorization endpoint is served, so none is advertised');
  t.notOk('token_endpoint' in doc, 'no OAuth token endpoint is served, so none is advertised');

  // Every advertised endpoint is routed here (the gateway maps the same paths).
  const path = (member: string) => new URL(doc[member] as string).pathname;
  t.equal((await app.inject({ method: 'GET', url: path('jwks_uri') })).statusCode, 200);
  for (const m of ['introspection_endpoint', 'revocation_endpoint']) {
    const r = await app.inject({ method: 'POST', url: path(m), headers: FORM, payload: 'token=x' });
    t.equal(r.statusCode, 401, `${m}: routed, and asks for client credentials`);
  }
});

t.test('JWKS: every verifying RS256 key with kty, n, e, kid, alg, use; nothing private', async (t) => {
  const { d, app } = await setup(t);
  const get = async () => {
    const res = await app.inject({ method: 'GET', url: JWKS_PATH });
    t.equal(res.statusCode, 200);
    t.match(res.headers['cache-control'], /^public, max-age=([1-9]\d{0,2})$/, 'a short public cache');
    return (res.json() as { keys: Array<Record<string, unknown>> }).keys;
  };
  const first = await get();
  t.equal(first.length, 1);
  const token = (await d.envelope.issue(ALICE)).token;
  t.equal(first[0]!.kid, decodeProtectedHeader(token).kid, 'the signing key is published');

  const rotated = await d.keys.rotate();
  await d.keys.rotate('HS256');
  await d.keyRing.reload();
  const keys = await get();
  t.strictSame(keys.map((k) => k.kid).sort(), [first[0]!.kid, rotated.kid].sort(), 'active and retiring');
  for (const k of keys) {
    t.strictSame(Object.keys(k).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use'], `${String(k.kid)}: members`);
    t.match(k, { kty: 'RSA', alg: 'RS256', use: 'sig', n: /^[A-Za-z0-9_-]{300,}$/, e: 'AQAB' });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) t.notOk(secret in k, `no ${secret}`);
  }
});

t.test('introspection: client authentication first (RFC 7662 §2.1, RFC 6749 §5.2)', async (t) => {
  const { d, app } = await setup(t);
  const { token } = await d.drf.issue(ALICE);
  const refused: Array<[string, Record<string, string>]> = [
    ['no credentials', {}],
    ['a wrong secret', { authorization: basic(CLIENT.id, `${CLIENT.secret}x`) }],
    ['an unknown client', { authorization: basic('stranger', CLIENT.secret) }],
    ['another scheme', { authorization: `Bearer ${token}` }],
    ['no colon', { authorization: `Basic ${Buffer.from(CLIENT.id).toString('base64')}` }],
    ['bad base64', { authorization: 'Basic ***' }],
  ];
  for (const path of ['/oauth2/introspect', '/oauth2/revoke']) {
    for (const [why, headers] of refused) {
      const res = await post(app, path, form({ token }), headers);
      t.equal(res.statusCode, 401, `${path}: ${why}`);
      t.equal(res.headers['www-authenticate'], 'Basic realm="propusk"');
      t.equal(res.headers['cache-control'], 'no-store');
      t.equal(res.json().error, 'invalid_client');
    }
  }
  t.equal((await d.introspection.introspect(token)).active, true, 'a refused revocation revoked nothing');

  const scheme = await post(app, '/oauth2/introspect', form({ token }), {
    authorization: `bAsIc  ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`,
  });
  t.equal(scheme.statusCode, 200, 'the scheme is case-insensitive (RFC 7617 §2)');

  const body = await post(app, '/oauth2/introspect', form({ token }), {
    authorization: basic(CLIENT.id, CLIENT.secret),
  });
  t.equal(body.statusCode, 200);
  t.equal(body.headers['cache-control'], 'no-store');
});

t.test('client_secret_post: id and secret in the form, as openid-client sends them by default', async (t) => {
  const { d, app } = await setup(t);
  const { token } = await d.drf.issue(ALICE);
  const credentials = { client_id: CLIENT.id, client_secret: CLIENT.secret };
  const viaPost = await post(app, '/oauth2/introspect', form({ token, ...credentials }), {});
  t.equal(viaPost.statusCode, 200, viaPost.body);
  t.equal(viaPost.headers['cache-control'], 'no-store');
  t.strictSame(viaPost.json(), await d.introspection.introspect(token), 'the same answer as with Basic');

  for (const [why, params] of [
    ['a wrong secret', { client_id: CLIENT.id, client_secret: `${CLIENT.secret}x` }],
    ['an unknown client', { client_id: 'stranger', client_secret: CLIENT.secret }],
    ['no secret', { client_id: CLIENT.id }],
    ['an empty secret', { client_id: CLIENT.id, client_secret: '' }],
    ['no id', { client_secret: CLIENT.secret }],
  ] as const) {
    for (const path of ['/oauth2/introspect', '/oauth2/revoke']) {
      const res = await post(app, path, form({ token, ...params }), {});
      t.equal(res.statusCode, 401, `${path}: ${why}`);
      t.equal(res.json().error, 'invalid_client');
    }
  }
  t.equal((await d.introspection.introspect(token)).active, true, 'a refused revocation revoked nothing');

  const revoked = await post(app, '/oauth2/revoke', form({ token, ...credentials }), {});
  t.equal(revoked.statusCode, 200);
  t.equal(revoked.body, '');
  t.strictSame(
    await d.introspection.introspect(token),
    { active: false },
    'revoked by a client_secret_post caller',
  );
});

t.test('one client authentication method per request (RFC 6749 §2.3): both is invalid_request', async (t) => {
  const { d, app } = await setup(t);
  const { token } = await d.drf.issue(ALICE);
  const cases: Array<[string, Record<string, string>]> = [
    ['Basic and client_secret_post', { client_id: CLIENT.id, client_secret: CLIENT.secret }],
    ['Basic and a client_id in the form', { client_id: CLIENT.id }],
    ['Basic and a client_secret in the form', { client_secret: CLIENT.secret }],
  ];
  for (const path of ['/oauth2/introspect', '/oauth2/revoke']) {
    for (const [why, params] of cases) {
      const res = await post(app, path, form({ token, ...params }));
      t.equal(res.statusCode, 400, `${path}: ${why}`);
      t.equal(res.json().error, 'invalid_request');
      t.match(res.json().error_description, /one method/);
    }
    const repeated = await post(
      app,
      path,
      `${form({ token, client_id: CLIENT.id, client_secret: CLIENT.secret })}&client_secret=other-secret-0123456`,
      {},
    );
    t.equal(repeated.statusCode, 400, `${path}: a repeated client_secret`);
    t.equal(repeated.json().error, 'invalid_request');
    const wrongBasic = await post(app, path, form({ token, ...cases[0]![1] }), {
      authorization: basic(CLIENT.id, 'not-the-secret-0123'),
    });
    t.equal(wrongBasic.statusCode, 401, `${path}: a wrong Basic secret is refused before the body is read`);
  }
  t.equal((await d.introspection.introspect(token)).active, true, 'nothing was revoked');
});

t.test('INTROSPECTION_CLIENTS: several callers; none configured refuses everyone', async (t) => {
  const { d, app } = await setup(t, { clients: `one:${'a'.repeat(16)},two:${'b'.repeat(16)}` });
  const { token } = await d.drf.issue(ALICE);
  t.equal(
    (await post(app, '/oauth2/introspect', form({ token }), { authorization: basic('two', 'b'.repeat(16)) }))
      .statusCode,
    200,
  );
  t.equal(
    (await post(app, '/oauth2/introspect', form({ token }), { authorization: basic('one', 'b'.repeat(16)) }))
      .statusCode,
    401,
    "another client's secret",
  );

  const none = await buildStandardApp(d, { clients: '' });
  t.teardown(() => none.close());
  for (const headers of [AUTH, {}]) {
    const res = await post(none, '/oauth2/introspect', form({ token }), headers);
    t.equal(res.statusCode, 401);
    t.equal(res.json().error, 'invalid_client');
  }
});

t.test('invalid_request: missing, empty or repeated token; not a form', async (t) => {
  const { app } = await setup(t);
  for (const path of ['/oauth2/introspect', '/oauth2/revoke']) {
    for (const [why, payload, headers] of [
      ['no body', '', { ...AUTH, ...FORM }],
      ['no token', 'token_type_hint=access_token', { ...AUTH, ...FORM }],
      ['an empty token', 'token=', { ...AUTH, ...FORM }],
      ['the token twice', 'token=a&token=b', { ...AUTH, ...FORM }],
      ['the hint twice', 'token=a&token_type_hint=x&token_type_hint=y', { ...AUTH, ...FORM }],
      ['JSON', '{"token":"a"}', { ...AUTH, 'content-type': 'application/json' }],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: path, headers, payload });
      t.equal(res.statusCode, 400, `${path}: ${why}`);
      t.equal(res.json().error, 'invalid_request', `${path}: ${why}`);
      t.match(res.json().error_description, /^[\x20-\x7e]+$/, 'an ASCII description (RFC 6749 §5.2)');
    }
    const big = await post(app, path, form({ token: 'a'.repeat(20 * 1024) }));
    t.equal(big.statusCode, 413);
    t.equal(big.json().error, 'invalid_request');
  }
});

t.test('introspection: inactive is `{"active": false}` alone', async (t) => {
  const { d, app } = await setup(t);
  const garbage = ['x', 'a'.repeat(40), 'eyJhbGciOiJub25lIn0.e30.', 'a.b.c', '🙂'];
  for (const token of garbage) t.strictSame(await introspect(app, token), { active: false }, token);

  const drf = await d.drf.issue(ALICE);
  const envelope = await d.envelope.issue(ADMIN);
  const v2 = await d.v2.issue(ALICE);
  t.equal((await introspect(app, envelope.token)).active, true);
  await d.introspection.revoke(drf.token);
  t.strictSame(await introspect(app, drf.token), { active: false }, 'revoked');
  d.clock.advance(25 * 60 * 60 * 1000);
  t.strictSame(await introspect(app, envelope.token), { active: false }, 'expired (2 h)');
  t.strictSame(await introspect(app, v2.token), { active: false }, 'expired (1 day)');
});

t.test('introspection: the members of an active token, per profile (RFC 7662 §2.2)', async (t) => {
  const { d, app } = await setup(t);
  const nowS = Math.floor(d.clock.now() / 1000);
  const live = async (token: string, extra: Record<string, string> = {}) => {
    const r = await introspect(app, token, extra);
    t.equal(r.active, true);
    t.type(r.exp, 'number');
    t.ok((r.exp as number) > nowS, 'exp in the future');
    t.strictSame(r, await d.introspection.introspect(token), 'the same answer as over NATS');
    return r;
  };

  const drf = await d.drf.issue(ALICE);
  t.match(await live(drf.token), {
    sub: ALICE.accountId,
    username: 'staff1',
    profile: 'drf',
    token_type: 'access_token',
    roles: ['staff'],
    iss: DRF_ISSUER,
    iat: nowS,
  });

  const envelope = await d.envelope.issue(ADMIN);
  t.match(await live(envelope.token), {
    sub: ADMIN.accountId,
    username: 'test_admin',
    profile: 'envelope',
    token_type: 'access_token',
    roles: ['admin'],
    iss: 'digeocache',
    iat: nowS,
    exp: nowS + 2 * 60 * 60,
  });

  const admin = await d.adminTelegram.issue(STAFF);
  t.match(await live(admin.access_token), {
    sub: STAFF.accountId,
    username: 'I0HuKc',
    profile: 'admin-telegram',
    token_type: 'access_token',
    jti: decodeJwt(admin.access_token).access_uuid,
  });
  // A wrong hint changes nothing: the kind shows in the token itself.
  t.match(await live(admin.refresh_token, { token_type_hint: 'access_token' }), {
    sub: STAFF.accountId,
    username: 'I0HuKc',
    profile: 'admin-telegram',
    token_type: 'refresh_token',
    jti: decodeJwt(admin.refresh_token).refresh_uuid,
  });

  const v2 = await d.v2.issue(ALICE);
  t.match(await live(v2.token), {
    sub: ALICE.accountId,
    username: 'staff1',
    profile: 'v2',
    token_type: 'access_token',
    iss: V2_ISSUER,
    jti: decodeJwt(v2.token).jti,
  });

  const pair = await d.authorization.issue(ANDREJ);
  t.match(await live(pair.access), {
    sub: ANDREJ.accountId,
    username: ANDREJ.userName,
    profile: 'authorization',
    token_type: 'access_token',
  });
  t.match(await live(pair.refresh, { token_type_hint: 'refresh_token' }), {
    sub: ANDREJ.accountId,
    username: ANDREJ.userName,
    profile: 'authorization',
    token_type: 'refresh_token',
  });
});

t.test('revocation (RFC 7009 §2.2): 200 and no body, known or not; then inactive', async (t) => {
  const { d, app } = await setup(t);
  for (const token of ['unknown', 'a'.repeat(40), 'a.b.c']) {
    const res = await post(app, '/oauth2/revoke', form({ token }));
    t.equal(res.statusCode, 200, token);
    t.equal(res.body, '');
  }
  const drf = await d.drf.issue(ALICE);
  const admin = await d.adminTelegram.issue(STAFF);
  const pair = await d.authorization.issue(ANDREJ);
  for (const [token, hint] of [
    [drf.token, 'access_token'],
    [admin.refresh_token, 'access_token'],
    [pair.refresh, 'refresh_token'],
  ] as const) {
    const res = await post(app, '/oauth2/revoke', form({ token, token_type_hint: hint }));
    t.equal(res.statusCode, 200);
    t.equal(res.body, '');
    t.equal(res.headers['cache-control'], 'no-store');
    t.strictSame(await introspect(app, token), { active: false });
    const again = await post(app, '/oauth2/revoke', form({ token }));
    t.equal(again.statusCode, 200, 'revoking twice is no error either');
  }
  t.strictSame(
    await introspect(app, admin.access_token),
    { active: false },
    'the family went with its refresh token',
  );
  t.strictSame(
    await introspect(app, pair.access),
    { active: false },
    'the session went with its refresh token',
  );
});

t.test('store down: 503 temporarily_unavailable, never an answer either way', async (t) => {
  const { d, app } = await setup(t);
  const { token } = await d.drf.issue(ALICE);
  d.outage.down = true;
  for (const path of ['/oauth2/introspect', '/oauth2/revoke']) {
    const res = await post(app, path, form({ token }));
    t.equal(res.statusCode, 503, path);
    t.equal(res.headers['retry-after'], '1');
    t.equal(res.json().error, 'temporarily_unavailable');
  }
  d.outage.down = false;
  t.equal((await introspect(app, token)).active, true, 'the revocation did not happen');
});
