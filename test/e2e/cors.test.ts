import t from 'tap';
import { bootSuite } from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';

// CORS through the real gateway (CORS_ORIGINS): the browsers of document 000's admin panel and
// of the front end that opens `/vk/link` may call the APIs and read the answers; any other
// origin may not. Preflights are answered by the gateway before any limit or token check.
const ADMIN_PANEL = 'https://admin.example.ru';
const FRONT_END = 'http://localhost:5173';
const STRANGER = 'https://evil.example.com';

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
];

async function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) };
}

const preflight = (origin: string, method: string) => ({
  origin,
  'access-control-request-method': method,
  'access-control-request-headers': 'authorization,content-type',
});

t.test('CORS for the configured origins through the gateway', async (t) => {
  const suite = await bootSuite({ env: { CORS_ORIGINS: `${ADMIN_PANEL},${FRONT_END}` } });
  t.teardown(() => suite.stop());
  const { url } = suite;
  await createUsers(suite.databaseUrl, [
    { username: 'cors_staff', password: 'cors-staff-pass-1', roles: ['staff'] },
  ]);

  t.test('allowed origin: 204 preflights, with or without a token policy on the route', async (t) => {
    for (const [origin, method, path] of [
      [FRONT_END, 'GET', '/vk/link'],
      [ADMIN_PANEL, 'POST', '/api/v1/admin/auth'],
      [ADMIN_PANEL, 'POST', '/api/v1/admin/logout'],
      [ADMIN_PANEL, 'POST', '/api/v1/check_token/'],
      [ADMIN_PANEL, 'POST', '/v2/auth/verification'],
      [ADMIN_PANEL, 'GET', '/api/v1/auth/logout/'],
    ] as const) {
      const what = `${method} ${path}`;
      const res = await send(url, 'OPTIONS', path, preflight(origin, method));
      t.equal(res.status, 204, `${what}: no token needed for a preflight`);
      t.equal(res.headers.get('access-control-allow-origin'), origin, `${what}: allow-origin`);
      t.equal(res.headers.get('access-control-allow-credentials'), 'true', `${what}: credentials`);
      t.match(res.headers.get('access-control-allow-methods'), new RegExp(`\\b${method}\\b`), what);
      t.match(res.headers.get('access-control-allow-headers'), /\bAuthorization\b/, `${what}: Authorization`);
      t.match(res.headers.get('access-control-allow-headers'), /\bContent-Type\b/, `${what}: Content-Type`);
      t.match(res.headers.get('vary'), /\bOrigin\b/i, `${what}: Vary: Origin`);
    }
  });

  t.test('allowed origin: the actual requests carry allow-origin and credentials', async (t) => {
    const link = await send(url, 'GET', '/vk/link', { origin: FRONT_END });
    t.equal(link.status, 200, 'the front end opens /vk/link');
    t.type(link.json, 'string', 'document 002: the authorize URL as a JSON string');
    t.equal(link.headers.get('access-control-allow-origin'), FRONT_END);
    t.equal(link.headers.get('access-control-allow-credentials'), 'true');

    const login = await send(
      url,
      'POST',
      '/api/v1/login/',
      { origin: ADMIN_PANEL },
      {
        username: 'cors_staff',
        password: 'cors-staff-pass-1',
      },
    );
    t.equal(login.status, 200, 'a drf login from the admin panel');
    t.match(login.json, { result: { status: 200 }, data: { username: 'cors_staff', role: 'staff' } });
    t.equal(login.headers.get('access-control-allow-origin'), ADMIN_PANEL);
    t.equal(login.headers.get('access-control-allow-credentials'), 'true');
    t.match(login.headers.get('access-control-expose-headers'), /Retry-After/);

    const refused = await send(
      url,
      'POST',
      '/api/v1/check_token/',
      { origin: ADMIN_PANEL },
      { username: 'x' },
    );
    t.equal(refused.status, 401, "the gateway's own 401 (no token)");
    t.same(refused.json, {
      result: { status: 401, message: 'Учетные данные не были предоставлены.' },
      data: {},
    });
    t.equal(refused.headers.get('access-control-allow-origin'), ADMIN_PANEL, 'readable by the page');
  });

  t.test('another origin: no allow-origin on the preflight or the request', async (t) => {
    const pre = await send(url, 'OPTIONS', '/api/v1/admin/auth', preflight(STRANGER, 'POST'));
    t.equal(pre.status, 405, 'an OPTIONS like any other: 405 with Allow');
    t.equal(pre.headers.get('allow'), 'POST');
    for (const h of CORS_HEADERS) t.equal(pre.headers.get(h), null, `preflight: no ${h}`);
    const link = await send(url, 'GET', '/vk/link', { origin: STRANGER });
    t.equal(link.status, 200, 'served, but the browser will not let the page read it');
    for (const h of CORS_HEADERS) t.equal(link.headers.get(h), null, `request: no ${h}`);
  });
});
