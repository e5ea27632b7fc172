// Profile authorization (document 002), provider routes under other configurations: a front
// end to redirect to, providers without a client id, a client id without its secret, Redis down.
import t from 'tap';
import Fastify from 'fastify';
import { signedInjection } from '@propusk/kit';
import { authorize } from '@propusk/stand-ins';
import { createFederationDomain } from '../src/domain.js';
import { startFederation } from '../src/main.js';
import { registerAuthorizationRoutes } from '../src/profiles/authorization/routes.js';
import { providerRegistry } from '../src/providers/registry.js';
import { accountBook, inMemoryDependencies, tokenDesk } from './fixtures/fake-dependencies.js';
import { fakeProvider } from './fixtures/fake-provider.js';
import { bootFederation } from './fixtures/federation.js';
import { fakeClock, memoryLinkStore } from './fixtures/memory-store.js';
import { startOAuthStandIns } from './fixtures/stand-ins.js';

const standIns = await startOAuthStandIns();
t.teardown(() => standIns.close());

t.test('OAUTH_FRONTEND_REDIRECT: the callback redirects (302) with code, and device_id for VK', async (t) => {
  const frontend = 'https://front.test/oauth/done?from=propusk';
  const federation = await bootFederation(standIns, { OAUTH_FRONTEND_REDIRECT: frontend });
  t.teardown(() => federation.close());

  const vk = await federation.authorizeLink('vk');
  const res = await federation.callback(vk);
  t.equal(res.statusCode, 302);
  t.equal(res.headers['cache-control'], 'no-store');
  const location = new URL(String(res.headers.location));
  t.equal(`${location.origin}${location.pathname}`, 'https://front.test/oauth/done');
  t.same(Object.fromEntries(location.searchParams), {
    from: 'propusk',
    code: vk.code,
    device_id: vk.deviceId,
  });
  const token = await federation.get(`/vk/get/token?${location.searchParams}`);
  t.equal(token.statusCode, 200, 'the front end redeems what it was sent');

  const mailru = await federation.authorizeLink('mailru');
  const back = new URL(String((await federation.callback(mailru)).headers.location));
  t.same(Object.fromEntries(back.searchParams), { from: 'propusk', code: mailru.code });

  const refused = await federation.callback(mailru);
  t.equal(refused.statusCode, 400, 'errors are answered, not redirected');
  t.match(refused.json(), { detail: /^state is unknown/ });
});

t.test(
  'an https PUBLIC_BASE_URL with a path: a Secure, __Secure- binding cookie under that path',
  async (t) => {
    const federation = await bootFederation(standIns, { PUBLIC_BASE_URL: 'https://id.example.ru/auth/' });
    t.teardown(() => federation.close());
    const res = await federation.inject({ method: 'GET', url: '/mail.ru/link' });
    t.equal(res.statusCode, 200);
    t.match(
      String(res.headers['set-cookie']),
      /^__Secure-propusk_oauth=[A-Za-z0-9_-]{43}; Max-Age=1200; Path=\/auth\/mail\.ru; HttpOnly; Secure; SameSite=Lax$/,
    );
    const link = new URL(res.json<string>());
    t.equal(
      link.searchParams.get('redirect_uri'),
      'https://id.example.ru/auth/mail.ru/callback',
      'the same path',
    );
  },
);

t.test('providers without a client id: every route of theirs answers 404 with a detail', async (t) => {
  const federation = await bootFederation(standIns, {
    VK_CLIENT_ID: '',
    MAILRU_CLIENT_ID: '',
    YANDEX_CLIENT_ID: '',
  });
  t.teardown(() => federation.close());
  const labels = { vk: 'VK ID', 'mail.ru': 'Mail.ru', yandex: 'Yandex' };
  for (const [path, label] of Object.entries(labels)) {
    for (const route of [
      'link',
      'callback?code=c&state=s',
      'get/token?code=c',
      'registration?access_token=t',
      'login?access_token=t',
    ]) {
      const res = await federation.get(`/${path}/${route}`);
      t.equal(res.statusCode, 404, `/${path}/${route}`);
      t.same(res.json(), { detail: `${label} sign-in is not configured` });
    }
  }
  await t.rejects(federation.started.domain.userInfo({ provider: 'vk', accessToken: 'x' }), {
    code: 'provider_not_configured',
  });
});

t.test('only VK configured: VK works, the others are absent', async (t) => {
  const federation = await bootFederation(undefined, {
    VK_CLIENT_ID: standIns.vk.clientId,
    VK_ID_BASE_URL: standIns.vk.url,
  });
  t.teardown(() => federation.close());
  const redirect = await authorize(await federation.link('vk'));
  t.equal((await federation.callback(redirect)).statusCode, 200);
  t.equal((await federation.get('/yandex/link')).statusCode, 404);
});

t.test('a client id without its secret stops the start with the variable named', async (t) => {
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', FEDERATION_PORT: '0' };
  await t.rejects(startFederation({ ...env, YANDEX_CLIENT_ID: 'y' }), {
    name: 'ConfigError',
    message: 'configuration: YANDEX_CLIENT_SECRET is required when YANDEX_CLIENT_ID is set',
  });
  await t.rejects(startFederation({ ...env, OAUTH_HTTP_TIMEOUT_MS: 'soon' }), { name: 'ConfigError' });
});

t.test('Redis down: 503 with a detail, and no link handed out', async (t) => {
  const started = await startFederation({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    FEDERATION_PORT: '0',
    REDIS_URL: 'redis://127.0.0.1:1',
    ...standIns.env,
  });
  t.teardown(() => started.close());
  for (const url of ['/vk/link', '/yandex/callback?code=c&state=s', '/mail.ru/get/token?code=c']) {
    const res = await started.runtime.http.inject(
      signedInjection(started.runtime.internalSecret, { method: 'GET', url }),
    );
    t.equal(res.statusCode, 503, url);
    t.same(res.json(), { detail: 'Service temporarily unavailable, retry later' });
  }
});

t.test('an unexpected failure answers 500 in the same shape, without its message', async (t) => {
  const store = memoryLinkStore(fakeClock());
  const domain = createFederationDomain({
    providers: providerRegistry([fakeProvider('vk')]),
    store,
    ttls: { stateS: 600, codeS: 600 },
    publicBaseUrl: 'http://127.0.0.1:8080',
    ...inMemoryDependencies(accountBook(), tokenDesk()),
  });
  const app = Fastify({ logger: false });
  await registerAuthorizationRoutes(app, {
    flow: domain.flow,
    signIn: domain.signIn,
    cookie: { publicBaseUrl: 'http://127.0.0.1:8080', secure: false, maxAgeS: 1200 },
  });
  t.teardown(() => app.close());
  const link = new URL((await app.inject({ method: 'GET', url: '/vk/link' })).json<string>());
  t.equal(link.searchParams.get('redirect_uri'), 'http://127.0.0.1:8080/vk/callback');
  store.failing = true;
  const failed = await app.inject({ method: 'GET', url: '/vk/link' });
  t.equal(failed.statusCode, 500);
  t.same(failed.json(), { detail: 'Internal server error' });
});
