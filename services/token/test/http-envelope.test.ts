import t from 'tap';
import { ALICE, buildDomain } from './fixtures/domain.js';
import { buildApp, gatewayHeaders, REDIRECTS } from './fixtures/http.js';

const SUCCESS = { data: { redirect: '/go/here/after/logout' } };
const FAILURE = {
  data: { redirect: '/go/here/after/failed/logout' },
  errors: [{ code: 3002, message: 'logout failure' }],
};

async function setup() {
  const d = await buildDomain();
  const app = await buildApp(d);
  const { token } = await d.envelope.issue(ALICE);
  const headers = gatewayHeaders(token, await d.introspection.introspect(token));
  return { d, app, token, headers };
}

t.test('envelope logout with the verified token: 200 redirect, the token revoked', async (t) => {
  const { app, d, token, headers } = await setup();
  t.equal(REDIRECTS.loggedOut, '/go/here/after/logout');
  const res = await app.inject({ method: 'GET', url: '/api/v1/auth/logout/', headers });
  t.equal(res.statusCode, 200);
  t.strictSame(res.json(), SUCCESS);
  t.strictSame(await d.introspection.introspect(token), { active: false });
  t.equal(d.events.published.length, 1);
  t.equal(d.events.published[0]!.profile, 'envelope');
  const again = await app.inject({ method: 'GET', url: '/api/v1/auth/logout', headers });
  t.strictSame([again.statusCode, again.json()], [401, FAILURE], 'the same token cannot log out twice');
});

t.test('envelope logout: HEAD is not served and revokes nothing', async (t) => {
  const { app, d, token, headers } = await setup();
  const res = await app.inject({ method: 'HEAD', url: '/api/v1/auth/logout/', headers });
  t.equal(res.statusCode, 404);
  t.equal((await d.introspection.introspect(token)).active, true);
});

t.test('envelope logout without a verified token: 401 with the failed redirect and 3002', async (t) => {
  const { app, d, token } = await setup();
  for (const headers of [{}, { authorization: `Bearer ${token}` }]) {
    for (const url of ['/api/v1/auth/logout/', '/api/v1/auth/logout']) {
      const res = await app.inject({ method: 'GET', url, headers });
      t.strictSame(
        [res.statusCode, res.json()],
        [401, FAILURE],
        `${url} ${JSON.stringify(Object.keys(headers))}`,
      );
    }
  }
  t.equal((await d.introspection.introspect(token)).active, true, 'Authorization alone revokes nothing');
});

t.test('envelope logout: Redis down → 503 in the failure shape', async (t) => {
  const { app, d, headers } = await setup();
  d.outage.down = true;
  const res = await app.inject({ method: 'GET', url: '/api/v1/auth/logout/', headers });
  t.strictSame([res.statusCode, res.json()], [503, FAILURE]);
});

t.test('envelope logout: a body on the GET is ignored, never a 500', async (t) => {
  const { app, headers } = await setup();
  const res = await app.inject({
    method: 'GET',
    url: '/api/v1/auth/logout/',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: '{"broken',
  });
  t.strictSame([res.statusCode, res.json()], [200, SUCCESS]);
});
