// Each provider client against its stand-in: the link it builds, authorize → exchange →
// user info, PKCE enforced by the provider, refused codes and tokens, foreign tokens.
import t from 'tap';
import type { OAuthControls } from '@propusk/stand-ins';
import { newVerifier } from '../src/links/pkce.js';
import type { Provider, ProviderId } from '../src/providers/provider.js';
import { createProviders } from '../src/providers/registry.js';
import { createUserInfoService } from '../src/userinfo/service.js';
import { authorizeWith, redirectUriOf, settingsFor, startOAuthStandIns } from './fixtures/stand-ins.js';

const standIns = await startOAuthStandIns();
t.teardown(() => standIns.close());
const providers = createProviders(settingsFor(standIns.env));
const { userInfo } = createUserInfoService({ providers });

const CASES: Array<{ id: ProviderId; standIn: OAuthControls<unknown> }> = [
  { id: 'vk', standIn: standIns.vk as OAuthControls<unknown> },
  { id: 'yandex', standIn: standIns.yandex as OAuthControls<unknown> },
  { id: 'mailru', standIn: standIns.mailru as OAuthControls<unknown> },
];

const provider = (id: ProviderId): Provider => providers.require(id);

t.test('the links: document 002 parameters, plus state and PKCE S256 for every provider', async (t) => {
  const common = { state: 'S'.repeat(43), codeChallenge: 'C'.repeat(43) };
  const vk = new URL(provider('vk').authorizeUrl({ ...common, redirectUri: redirectUriOf('vk') }));
  t.equal(`${vk.origin}${vk.pathname}`, `${standIns.vk.url}/authorize`);
  t.same(Object.fromEntries(vk.searchParams), {
    response_type: 'code',
    client_id: standIns.vk.clientId,
    scope: 'email phone',
    redirect_uri: 'http://127.0.0.1:8080/vk/callback',
    state: common.state,
    code_challenge: common.codeChallenge,
    code_challenge_method: 's256',
  });
  const yandex = new URL(
    provider('yandex').authorizeUrl({ ...common, redirectUri: redirectUriOf('yandex') }),
  );
  t.equal(`${yandex.origin}${yandex.pathname}`, `${standIns.yandex.oauthBaseUrl}/authorize`);
  t.same(Object.fromEntries(yandex.searchParams), {
    response_type: 'code',
    client_id: standIns.yandex.clientId,
    redirect_uri: 'http://127.0.0.1:8080/yandex/callback',
    state: common.state,
    code_challenge: common.codeChallenge,
    code_challenge_method: 'S256',
  });
  const mailru = new URL(
    provider('mailru').authorizeUrl({ ...common, redirectUri: redirectUriOf('mailru') }),
  );
  t.equal(`${mailru.origin}${mailru.pathname}`, `${standIns.mailru.url}/login`);
  t.same(Object.fromEntries(mailru.searchParams), {
    client_id: standIns.mailru.clientId,
    response_type: 'code',
    scope: 'userinfo',
    redirect_uri: 'http://127.0.0.1:8080/mail.ru/callback',
    state: common.state,
    prompt_force: '1',
    code_challenge: common.codeChallenge,
    code_challenge_method: 'S256',
  });
});

t.test('VK ID: authorize → exchange → user info, e-mail and phone granted by the scope', async (t) => {
  standIns.vk.setUser({ user_id: '777', email: 'anna@vk.test', phone: '79990001122', first_name: 'Анна' });
  const code = await authorizeWith(provider('vk'));
  t.equal(code.redirect.state, code.state);
  t.ok(code.redirect.deviceId, 'VK sends device_id');
  t.match(standIns.vk.codes.at(-1), {
    codeChallenge: code.challenge,
    codeChallengeMethod: 's256',
    scope: 'email phone',
  });
  const tokens = await code.exchange();
  t.match(tokens, { access_token: /^vk2\.a\./, refresh_token: /\S+/, expire_in: 3600 });
  t.same(Object.keys(tokens).sort(), ['access_token', 'expire_in', 'refresh_token']);
  const exchange = standIns.vk.requests.findLast((r) => r.path === '/oauth2/auth');
  t.match(exchange?.body, {
    device_id: code.redirect.deviceId,
    state: code.state,
    client_id: standIns.vk.clientId,
  });
  t.same(await userInfo({ provider: 'vk', accessToken: tokens.access_token }), {
    provider: 'vk',
    subject: '777',
    email: 'anna@vk.test',
    emailVerified: false,
    phone: '+79990001122',
    firstName: 'Анна',
    lastName: 'Петров',
    clientId: standIns.vk.clientId,
  });
});

t.test('Yandex: authorize → exchange (client by Basic) → /info', async (t) => {
  standIns.yandex.setUser({
    id: '555',
    default_email: 'petr@yandex.ru',
    first_name: 'Пётр',
    last_name: 'Иванов',
  });
  const code = await authorizeWith(provider('yandex'));
  t.equal(code.redirect.state, code.state);
  t.match(standIns.yandex.codes.at(-1), { codeChallenge: code.challenge, codeChallengeMethod: 'S256' });
  const tokens = await code.exchange();
  t.match(tokens, { access_token: /^y0_/, refresh_token: /\S+/, expire_in: 31536000 });
  const exchange = standIns.yandex.requests.findLast((r) => r.path === '/token');
  t.match(exchange?.headers.authorization, /^Basic /);
  t.equal(exchange?.body.client_secret, undefined, 'the secret is not in the form');
  t.same(await userInfo({ provider: 'yandex', accessToken: tokens.access_token }), {
    provider: 'yandex',
    subject: '555',
    email: 'petr@yandex.ru',
    emailVerified: true,
    phone: '+79991234567',
    firstName: 'Пётр',
    lastName: 'Иванов',
    clientId: standIns.yandex.clientId,
  });
  const info = standIns.yandex.requests.findLast((r) => r.path === '/info');
  t.equal(info?.headers.authorization, `OAuth ${tokens.access_token}`);
});

t.test('Mail.ru: authorize (with PKCE) → exchange → userinfo', async (t) => {
  standIns.mailru.setUser({ id: '9876', email: 'olga@mail.ru', first_name: 'Ольга', last_name: 'Сидорова' });
  const code = await authorizeWith(provider('mailru'));
  t.equal(code.redirect.state, code.state);
  t.match(standIns.mailru.codes.at(-1), { codeChallenge: code.challenge, scope: 'userinfo' });
  const tokens = await code.exchange();
  t.match(tokens, { access_token: /\S+/, refresh_token: /\S+/, expire_in: 3600 });
  t.same(await userInfo({ provider: 'mailru', accessToken: tokens.access_token }), {
    provider: 'mailru',
    subject: '9876',
    email: 'olga@mail.ru',
    emailVerified: true,
    firstName: 'Ольга',
    lastName: 'Сидорова',
    clientId: standIns.mailru.clientId,
  });
});

t.test(
  'each provider vouches only for the mailboxes it hosts (issue 15, pre-account hijacking)',
  async (t) => {
    /** What the provider client reads for the stand-in's current user. */
    const read = async (id: ProviderId) => {
      const standIn = CASES.find((c) => c.id === id)?.standIn;
      if (!standIn) throw new Error(`no stand-in for ${id}`);
      const { email, emailVerified } = await provider(id).userInfo(standIn.issueToken().accessToken);
      return { email, emailVerified };
    };
    for (const email of ['olga@mail.ru', 'olga@inbox.ru', 'olga@list.ru', 'olga@bk.ru', 'olga@internet.ru']) {
      standIns.mailru.setUser({ id: '9876', email });
      t.same(await read('mailru'), { email, emailVerified: true }, `Mail.ru: ${email}`);
    }
    standIns.mailru.setUser({ id: '9876', email: 'victim-123@example.org' });
    t.same(
      await read('mailru'),
      { email: 'victim-123@example.org', emailVerified: false },
      'Mail.ru: elsewhere',
    );
    standIns.mailru.setUser({ id: '9876', email: 'olga@yandex.ru' });
    t.same(await read('mailru'), { email: 'olga@yandex.ru', emailVerified: false }, "Mail.ru: Yandex's");

    const yandex = [
      'yandex.ru',
      'ya.ru',
      'yandex.com',
      'yandex.by',
      'yandex.kz',
      'yandex.ua',
      'yandex.com.tr',
    ];
    for (const domain of yandex) {
      standIns.yandex.setUser({ id: '555', default_email: `petr@${domain}` });
      t.same(await read('yandex'), { email: `petr@${domain}`, emailVerified: true }, `Yandex: ${domain}`);
    }
    standIns.yandex.setUser({ id: '555', default_email: 'victim-123@example.org' });
    t.same(
      await read('yandex'),
      { email: 'victim-123@example.org', emailVerified: false },
      'Yandex: elsewhere',
    );
    // Without a default_email, the first of `emails` is taken, never vouched for.
    standIns.yandex.setUser({ id: '555', default_email: '', emails: ['petr@yandex.ru'] });
    t.same(await read('yandex'), { email: 'petr@yandex.ru', emailVerified: false }, 'Yandex: emails[0]');

    for (const email of ['anna@vk.com', 'anna@mail.ru', 'anna@yandex.ru']) {
      standIns.vk.setUser({ user_id: '777', email });
      t.same(await read('vk'), { email, emailVerified: false }, `VK ID: ${email}`);
    }
    standIns.vk.setUser({ user_id: '777', email: '' });
    t.same(await read('vk'), { email: undefined, emailVerified: undefined }, 'no e-mail: no word');
  },
);

for (const { id, standIn } of CASES) {
  t.test(`${id}: the provider refuses a wrong verifier, and the code stays single use`, async (t) => {
    const code = await authorizeWith(provider(id));
    await t.rejects(code.exchange({ codeVerifier: newVerifier() }), {
      code: 'provider_code_rejected',
      status: 400,
    });
    t.ok(await code.exchange(), 'the right verifier still works: a refused attempt did not spend the code');
    await t.rejects(code.exchange(), { code: 'provider_code_rejected', status: 400 }, 'used');
    await t.rejects(code.exchange({ code: 'no-such-code' }), { code: 'provider_code_rejected', status: 400 });
  });

  t.test(`${id}: expired or unknown access tokens are refused with 401`, async (t) => {
    await t.rejects(userInfo({ provider: id, accessToken: 'no-such-token' }), {
      code: 'provider_token_invalid',
      status: 401,
    });
    const grant = standIn.issueToken();
    t.ok(await userInfo({ provider: id, accessToken: grant.accessToken }));
    standIn.expireTokens();
    await t.rejects(userInfo({ provider: id, accessToken: grant.accessToken }), {
      code: 'provider_token_invalid',
    });
    await t.rejects(userInfo({ provider: id, accessToken: '' }), { code: 'invalid_request', status: 400 });
  });

  t.test(`${id}: a token issued to another application is detected`, async (t) => {
    const foreign = standIn.issueToken({ clientId: 'someone-else' });
    const err = await userInfo({ provider: id, accessToken: foreign.accessToken }).catch((e: unknown) => e);
    t.match(err, {
      name: 'PropuskError',
      code: 'provider_token_foreign',
      status: 401,
      message: /issued to another application/,
    });
    // Reading user info without the check (the provider client alone) shows whose token it is
    // for Yandex and Mail.ru; VK refuses it itself.
    if (id !== 'vk') t.match(await provider(id).userInfo(foreign.accessToken), { clientId: 'someone-else' });
  });
}

t.test(
  'providers without a client id are absent; a client id without its secret stops the start',
  async (t) => {
    const none = createProviders(settingsFor({}));
    t.same(none.configured(), []);
    t.equal(none.get('vk'), undefined);
    t.throws(() => none.require('yandex'), { code: 'provider_not_configured', status: 404 });
    const vkOnly = createProviders(settingsFor({ VK_CLIENT_ID: '123' }));
    t.same(vkOnly.configured(), ['vk']);
    t.throws(() => createProviders(settingsFor({ YANDEX_CLIENT_ID: 'y' })), {
      name: 'ConfigError',
      message: /YANDEX_CLIENT_SECRET is required when YANDEX_CLIENT_ID is set/,
    });
    t.throws(() => createProviders(settingsFor({ MAILRU_CLIENT_ID: 'm' })), {
      name: 'ConfigError',
      message: /MAILRU_CLIENT_SECRET is required/,
    });
  },
);
