// Profile authorization (document 002), provider routes: every route and its errors through
// app.inject() on the real federation process (Redis, NATS), against the OAuth stand-ins.
import t from 'tap';
import { authorize, AuthorizeError } from '@propusk/stand-ins';
import type { OAuthControls } from '@propusk/stand-ins';
import type { ProviderId } from '../src/providers/provider.js';
import { bootFederation, PUBLIC_BASE_URL } from './fixtures/federation.js';
import { startOAuthStandIns, TEST_TIMEOUT_MS } from './fixtures/stand-ins.js';

const standIns = await startOAuthStandIns();
t.teardown(() => standIns.close());
const federation = await bootFederation(standIns);
t.teardown(() => federation.close());
const { get } = federation;

const CASES: Array<{ id: ProviderId; path: string; standIn: OAuthControls<unknown>; authorizeBase: string }> =
  [
    {
      id: 'vk',
      path: 'vk',
      standIn: standIns.vk as OAuthControls<unknown>,
      authorizeBase: `${standIns.vk.url}/authorize`,
    },
    {
      id: 'yandex',
      path: 'yandex',
      standIn: standIns.yandex as OAuthControls<unknown>,
      authorizeBase: `${standIns.yandex.oauthBaseUrl}/authorize`,
    },
    {
      id: 'mailru',
      path: 'mail.ru',
      standIn: standIns.mailru as OAuthControls<unknown>,
      authorizeBase: `${standIns.mailru.url}/login`,
    },
  ];

function detail(res: { statusCode: number; json: () => unknown; headers: Record<string, unknown> }) {
  return { status: res.statusCode, type: res.headers['content-type'], body: res.json() };
}

const DETAIL = (status: number, text: RegExp) => ({
  status,
  type: /^application\/json/,
  body: { detail: text },
});
const STATE_INVALID = DETAIL(400, /^state is unknown, expired, already used or belongs to another provider/);
const CODE_INVALID = DETAIL(400, /^code is unknown, expired or already used/);

for (const { id, path, standIn, authorizeBase } of CASES) {
  t.test(`${path}: link → authorize → callback → get/token, then user info of the token`, async (t) => {
    const res = await get(`/${path}/link`);
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^application\/json/);
    t.equal(res.headers['cache-control'], 'no-store');
    t.match(res.body, /^"http:\/\/127\.0\.0\.1:\d+\/[^"]+"$/, 'a JSON string');
    const link = new URL(res.json<string>());
    t.equal(`${link.origin}${link.pathname}`, authorizeBase);
    t.equal(link.searchParams.get('redirect_uri'), `${PUBLIC_BASE_URL}/${path}/callback`);
    t.match(link.searchParams.get('state'), /^[A-Za-z0-9_-]{43,}$/);
    t.match(link.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
    t.match(link.searchParams.get('code_challenge_method'), /^s256$/i);

    const redirect = await authorize(link);
    t.equal(redirect.redirectUri, `${PUBLIC_BASE_URL}/${path}/callback`);
    const back = await federation.callback(redirect);
    t.equal(back.statusCode, 200, back.body);
    t.equal(back.headers['cache-control'], 'no-store');
    const expected =
      id === 'vk' ? { code: redirect.code, device_id: redirect.deviceId } : { code: redirect.code };
    t.same(back.json(), expected, 'no front end configured: the parameters as JSON');

    const query = new URLSearchParams(back.json<Record<string, string>>()).toString();
    const token = await get(`/${path}/get/token?${query}`);
    t.equal(token.statusCode, 200, token.body);
    t.equal(token.headers['cache-control'], 'no-store');
    const tokens = token.json<{ access_token: string; refresh_token: string; expire_in: number }>();
    t.same(
      Object.keys(tokens).sort(),
      ['access_token', 'expire_in', 'refresh_token'],
      "document 002's fields",
    );
    t.match(tokens, { access_token: /\S/, refresh_token: /\S/, expire_in: Number });

    const user = await federation.started.domain.userInfo({ provider: id, accessToken: tokens.access_token });
    t.match(user, { provider: id, subject: /\S/, clientId: standIn.clientId });

    const again = await get(`/${path}/get/token?${query}`);
    t.match(detail(again), CODE_INVALID, 'the code is single use');
    const replay = await federation.callback(redirect);
    t.match(detail(replay), STATE_INVALID, 'the state is single use');
  });

  t.test(`${path}: the callback refuses unknown, missing, repeated and foreign states`, async (t) => {
    t.match(detail(await get(`/${path}/callback?code=abc&state=${'A'.repeat(43)}`)), STATE_INVALID);
    t.match(detail(await get(`/${path}/callback?code=abc`)), DETAIL(400, /^state is required$/));
    t.match(detail(await get(`/${path}/callback?code=abc&state=`)), DETAIL(400, /^state is required$/));
    t.match(
      detail(await get(`/${path}/callback?code=abc&state=a&state=b`)),
      DETAIL(400, /^state must be given once$/),
    );
    t.match(
      detail(await get(`/${path}/callback?code=abc&state=${'s'.repeat(3000)}`)),
      DETAIL(400, /^state is too long$/),
    );
    const other = CASES.find((c) => c.id !== id)!;
    const redirect = await federation.authorizeLink(other.id);
    const wrong = await get(`/${path}/callback${redirect.location.search}`);
    t.match(detail(wrong), STATE_INVALID, `${other.path}'s state at ${path}`);
    // The browser's binding for the other provider does not travel to this path (its cookie's
    // Path), so this was a stranger's try: refused without spending what the browser still holds.
    t.equal((await federation.callback(redirect)).statusCode, 200, 'still good at its own provider');
  });

  t.test(
    `${path}: a callback without code spends the state; a denial answers the provider's words`,
    async (t) => {
      const redirect = await federation.authorizeLink(id);
      const noCode = await get(`/${path}/callback?state=${encodeURIComponent(redirect.state ?? '')}`);
      t.match(detail(noCode), DETAIL(400, /^code is required$/));
      t.match(detail(await federation.callback(redirect)), STATE_INVALID);

      standIn.denyNext();
      const denied = await federation.authorizeLink(id).catch((e: unknown) => e);
      t.ok(denied instanceof AuthorizeError && denied.error === 'access_denied', 'the provider said no');
      const location = (denied as AuthorizeError).location!;
      const res = await get(`${location.pathname}${location.search}`);
      t.match(detail(res), DETAIL(400, /did not authorize the sign-in: (User|user) denied access$/));
      const state = location.searchParams.get('state') ?? '';
      const after = await get(`/${path}/callback?code=abc&state=${encodeURIComponent(state)}`);
      t.match(detail(after), STATE_INVALID, 'the denied link cannot be reused');
    },
  );

  t.test(`${path}: get/token refuses missing, unknown and foreign codes`, async (t) => {
    t.match(detail(await get(`/${path}/get/token`)), DETAIL(400, /^code is required$/));
    t.match(detail(await get(`/${path}/get/token?code=never-seen`)), CODE_INVALID);
    t.match(detail(await get(`/${path}/get/token?code=a&code=b`)), DETAIL(400, /^code must be given once$/));
    const other = CASES.find((c) => c.id !== id)!;
    const redirect = await federation.authorizeLink(other.id);
    const bound = (await federation.callback(redirect)).json<Record<string, string>>();
    const wrong = await get(`/${path}/get/token?${new URLSearchParams(bound)}`);
    t.match(detail(wrong), CODE_INVALID, `${other.path}'s code at ${path}`);
  });

  t.test(
    `${path}: a code the provider refuses (expired there) is a 400, its outage a quick 502`,
    async (t) => {
      const redirect = await federation.authorizeLink(id);
      const query = new URLSearchParams((await federation.callback(redirect)).json<Record<string, string>>());
      standIn.expireCodes();
      const refused = await get(`/${path}/get/token?${query}`);
      t.match(detail(refused), DETAIL(400, /refused the code \(invalid_grant\)/));

      const next = await federation.authorizeLink(id);
      const nextQuery = new URLSearchParams((await federation.callback(next)).json<Record<string, string>>());
      standIn.setOutage('timeout');
      t.teardown(() => standIn.setOutage(null));
      const started = Date.now();
      const res = await get(`/${path}/get/token?${nextQuery}`);
      t.match(detail(res), DETAIL(502, new RegExp(`did not answer within ${TEST_TIMEOUT_MS} ms$`)));
      t.ok(Date.now() - started < TEST_TIMEOUT_MS + 1500, 'no hang');
    },
  );
}

for (const { id, path } of CASES) {
  t.test(`${path}: the flow is bound to the browser that asked for the link (RFC 9700 §4.7.1)`, async (t) => {
    federation.jar.clear();
    const res = await get(`/${path}/link`);
    t.equal(res.statusCode, 200);
    const setCookie = String(res.headers['set-cookie']);
    t.match(
      setCookie,
      new RegExp(
        `^propusk_oauth=[A-Za-z0-9_-]{43}; Max-Age=1200; Path=/${path.replace('.', '\\.')}; HttpOnly; SameSite=Lax$`,
      ),
      "HttpOnly, SameSite=Lax, the provider's path, not Secure on http, alive for state + code TTL",
    );
    const state = new URL(res.json<string>()).searchParams.get('state') ?? '';
    t.notOk(setCookie.includes(state), 'the cookie is not the state');

    const other = await federation.authorizeLink(id);
    const stranger = await federation.inject({
      method: 'GET',
      url: `${other.location.pathname}${other.location.search}`,
      headers: { cookie: `propusk_oauth=${'x'.repeat(43)}` },
    });
    t.match(detail(stranger), STATE_INVALID, 'the callback in a browser with another binding');
    const back = await federation.callback(other);
    t.equal(back.statusCode, 200, 'the browser with the binding, after the stranger');
    t.equal(back.headers['set-cookie'], undefined, 'the callback leaves the cookie for get/token');
    const query = new URLSearchParams(back.json<Record<string, string>>()).toString();
    const cookieless = await federation.inject({ method: 'GET', url: `/${path}/get/token?${query}` });
    t.match(detail(cookieless), CODE_INVALID, 'get/token without the binding');
    const token = await get(`/${path}/get/token?${query}`);
    t.equal(token.statusCode, 200, 'get/token with the binding');
    t.equal(
      token.headers['set-cookie'],
      `propusk_oauth=; Max-Age=0; Path=/${path}; HttpOnly; SameSite=Lax`,
      'get/token clears the binding',
    );
    t.equal(federation.jar.header(`${PUBLIC_BASE_URL}/${path}/callback`), undefined, 'gone from the browser');
  });
}

t.test("vk: get/token takes the callback's device_id; another one is refused", async (t) => {
  const redirect = await federation.authorizeLink('vk');
  const { code } = (await federation.callback(redirect)).json<{ code: string }>();
  const wrong = await get(`/vk/get/token?code=${encodeURIComponent(code)}&device_id=someone-elses`);
  t.match(detail(wrong), DETAIL(400, /^device_id does not match the one the callback received$/));

  const next = await federation.authorizeLink('vk');
  const bound = (await federation.callback(next)).json<{ code: string }>();
  const ok = await get(`/vk/get/token?code=${encodeURIComponent(bound.code)}`);
  t.equal(ok.statusCode, 200, 'without device_id: the one from the callback');
  const exchange = standIns.vk.requests.findLast((r) => r.path === '/oauth2/auth');
  t.equal(exchange?.body.device_id, next.deviceId);
});

t.test('concurrent callbacks with one state, concurrent get/token with one code: one wins', async (t) => {
  const redirect = await federation.authorizeLink('yandex');
  const callbacks = await Promise.all(Array.from({ length: 8 }, () => federation.callback(redirect)));
  t.same(callbacks.map((r) => r.statusCode).sort(), [200, 400, 400, 400, 400, 400, 400, 400]);
  const query = new URLSearchParams({ code: redirect.code }).toString();
  const tokens = await Promise.all(Array.from({ length: 8 }, () => get(`/yandex/get/token?${query}`)));
  t.same(tokens.map((r) => r.statusCode).sort(), [200, 400, 400, 400, 400, 400, 400, 400]);
});

t.test('paths are served with a trailing slash too; HEAD does not open a link', async (t) => {
  const res = await get('/mail.ru/link/');
  t.equal(res.statusCode, 200);
  t.match(res.json(), /^http:/);
  const head = await federation.inject({ method: 'HEAD', url: '/vk/link' });
  t.equal(head.statusCode, 404);
});
