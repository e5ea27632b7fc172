// Providers failing: the stand-ins' outage modes (5xx, hanging, error body), a provider that
// answers nonsense, one that is not there. Always a quick provider_unavailable (502) with our
// own words, never the provider's body, never a hang.
import t from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OAuthControls, OutageMode } from '@propusk/stand-ins';
import type { ProviderId } from '../src/providers/provider.js';
import { createProviders } from '../src/providers/registry.js';
import { createUserInfoService } from '../src/userinfo/service.js';
import { authorizeWith, settingsFor, startOAuthStandIns, TEST_TIMEOUT_MS } from './fixtures/stand-ins.js';

const standIns = await startOAuthStandIns();
t.teardown(() => standIns.close());
const providers = createProviders(settingsFor(standIns.env));
const { userInfo } = createUserInfoService({ providers });

const CASES: Array<{ id: ProviderId; standIn: OAuthControls<unknown>; token: string; info: string }> = [
  {
    id: 'vk',
    standIn: standIns.vk as OAuthControls<unknown>,
    token: '/oauth2/auth',
    info: '/oauth2/user_info',
  },
  { id: 'yandex', standIn: standIns.yandex as OAuthControls<unknown>, token: '/token', info: '/info' },
  { id: 'mailru', standIn: standIns.mailru as OAuthControls<unknown>, token: '/token', info: '/userinfo' },
];

const MODES: Array<{ mode: OutageMode; message: RegExp }> = [
  { mode: '5xx', message: /failed \(HTTP 503\)$/ },
  { mode: 'timeout', message: new RegExp(`did not answer within ${TEST_TIMEOUT_MS} ms$`) },
  { mode: 'error-body', message: /answered the error server_error$/ },
];

/** Runs `fn`, answers its rejection and how long it took. */
async function timedFailure(fn: () => Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = Date.now();
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { err, ms: Date.now() - started };
}

for (const { id, standIn, token, info } of CASES) {
  for (const { mode, message } of MODES) {
    t.test(`${id}, outage ${mode}: exchange and user info fail with 502 quickly`, async (t) => {
      const code = await authorizeWith(providers.require(id));
      const grant = standIn.issueToken();
      standIn.setOutage(mode, [token, info]);
      t.teardown(() => standIn.setOutage(null));
      for (const [what, call] of [
        ['exchange', () => code.exchange()],
        ['user info', () => userInfo({ provider: id, accessToken: grant.accessToken })],
      ] as const) {
        const { err, ms } = await timedFailure(call);
        t.match(err, { name: 'PropuskError', code: 'provider_unavailable', status: 502, message }, what);
        t.ok(ms < TEST_TIMEOUT_MS + 1500, `${what} answered in ${ms} ms`);
      }
      standIn.setOutage(null);
      t.ok(await code.exchange(), 'the code was not spent by the outage');
    });
  }
}

/** A provider that answers whatever the test put at a path (status, content type, body). */
async function startBrokenProvider(): Promise<{
  url: string;
  answer: Map<string, [number, string, string]>;
  server: Server;
}> {
  const answer = new Map<string, [number, string, string]>();
  const server = createServer((req, res) => {
    const [status, type, body] = answer.get((req.url ?? '').split('?')[0] ?? '') ?? [
      404,
      'text/plain',
      'nope',
    ];
    res.writeHead(status, {
      'content-type': type,
      ...(status === 302 ? { location: 'http://127.0.0.1:1/' } : {}),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answer, server };
}

t.test('nonsense answers: not JSON, not an object, no token, a redirect, an unexplained 4xx', async (t) => {
  const broken = await startBrokenProvider();
  t.teardown(() => new Promise<void>((resolve) => broken.server.close(() => resolve())));
  const registry = createProviders(
    settingsFor({ ...standIns.env, YANDEX_OAUTH_BASE_URL: broken.url, YANDEX_LOGIN_BASE_URL: broken.url }),
  );
  const yandex = registry.require('yandex');
  const exchange = () =>
    yandex.exchangeCode({ code: '1234567', codeVerifier: 'v'.repeat(43), redirectUri: 'http://x/cb' });
  const cases: Array<[[number, string, string], RegExp]> = [
    [
      [200, 'text/html', '<html>secret-looking page</html>'],
      /answered a body that is not JSON \(HTTP 200\)$/,
    ],
    [[200, 'application/json', '["access_token"]'], /not JSON/],
    [[200, 'application/json', '{"token_type":"bearer"}'], /without an access token$/],
    [[200, 'application/json', '{"access_token":"a","expires_in":"soon"}'], /without a valid expires_in$/],
    [[302, 'text/plain', ''], /answered a redirect \(HTTP 302\)$/],
    [[418, 'application/json', '{"teapot":true}'], /answered HTTP 418$/],
    [
      [400, 'application/json', '{"error":"invalid_client","error_description":"Wrong client secret"}'],
      /answered the error invalid_client$/,
    ],
    [[200, 'application/json', `{"error":"${'x'.repeat(100)}"}`], /answered the error error$/],
  ];
  for (const [answer, message] of cases) {
    broken.answer.set('/token', answer);
    const err = await exchange().catch((e: unknown) => e);
    t.match(err, { code: 'provider_unavailable', status: 502, message }, answer[2]);
    t.notMatch((err as Error).message, /secret-looking|Wrong client secret/, 'the body is not echoed');
  }
  broken.answer.set('/token', [200, 'application/json', '{"access_token":"a","expires_in":"60"}']);
  t.same(
    await exchange(),
    { access_token: 'a', refresh_token: '', expire_in: 60 },
    'numeric strings and no refresh token',
  );

  broken.answer.set('/info', [200, 'application/json', '{"id":"1","login":"x"}']);
  await t.rejects(yandex.userInfo('tok'), { code: 'provider_unavailable', message: /without client_id$/ });
  broken.answer.set('/info', [200, 'application/json', '{"client_id":"c"}']);
  await t.rejects(yandex.userInfo('tok'), { code: 'provider_unavailable', message: /without a user id$/ });
  broken.answer.set('/info', [
    200,
    'application/json',
    '{"id":42,"client_id":"c","default_email":"not an email","default_phone":{"number":"12"}}',
  ]);
  t.same(
    await yandex.userInfo('tok'),
    { provider: 'yandex', subject: '42', clientId: 'c' },
    'unusable fields left out',
  );
});

t.test('a provider that is not there: 502 at once', async (t) => {
  const registry = createProviders(settingsFor({ VK_CLIENT_ID: '1', VK_ID_BASE_URL: 'http://127.0.0.1:1' }));
  const { err, ms } = await timedFailure(() => registry.require('vk').userInfo('tok'));
  t.match(err, { code: 'provider_unavailable', status: 502, message: /^VK ID is unreachable$/ });
  t.ok(ms < 2000, `${ms} ms`);
});
