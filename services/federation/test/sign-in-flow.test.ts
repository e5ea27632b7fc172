// The sign-in flow (sign-in/flow.ts) with a fake provider and in-memory identity and token
// fakes: the order of the calls, user_name, identity's refusals, failures after registration.
import t from 'tap';
import { PropuskError } from '@propusk/contracts';
import { providerUnavailable } from '../src/providers/errors.js';
import { providerRegistry } from '../src/providers/registry.js';
import { createSignInFlow } from '../src/sign-in/flow.js';
import { createUserInfoService } from '../src/userinfo/service.js';
import { accountBook, inMemoryDependencies, tokenDesk } from './fixtures/fake-dependencies.js';
import { fakeProvider } from './fixtures/fake-provider.js';

function setup() {
  const vk = fakeProvider('vk');
  const mailru = fakeProvider('mailru');
  const book = accountBook();
  const desk = tokenDesk();
  const { userInfo } = createUserInfoService({ providers: providerRegistry([vk, mailru]) });
  const flow = createSignInFlow({ userInfo, ...inMemoryDependencies(book, desk) });
  return { vk, mailru, book, desk, flow };
}

t.test('register, then login: identity gets the profile, the token service the account', async (t) => {
  const { vk, book, desk, flow } = setup();
  vk.user = { subject: '7', email: 'Anna@VK.test', phone: '+79990001122', firstName: 'Анна' };
  const registered = await flow.signIn({ provider: 'vk', mode: 'register', accessToken: 'tok' });
  t.same(registered, desk.issued[0]);
  t.same(book.requests, [
    {
      mode: 'register',
      profile: {
        provider: 'vk',
        subject: '7',
        email: 'Anna@VK.test',
        phone: '+79990001122',
        firstName: 'Анна',
      },
    },
  ]);
  const account = book.linked.get('vk:7');
  t.same(desk.requests, [{ accountId: account?.id, userName: 'anna@vk.test', roles: [] }]);

  const again = await flow.signIn({ provider: 'vk', mode: 'login', accessToken: 'tok' });
  t.same(again, desk.issued[1]);
  t.not(again.access, registered.access);
  t.equal(book.requests[1]?.mode, 'login');
  t.equal(desk.requests[1]?.accountId, account?.id);
});

t.test('user_name: the e-mail, else the phone, else <provider>:<subject>', async (t) => {
  const { vk, desk, flow } = setup();
  vk.user = { subject: '1', phone: '+79990000001' };
  await flow.signIn({ provider: 'vk', mode: 'register', accessToken: 'a' });
  vk.user = { subject: '2' };
  await flow.signIn({ provider: 'vk', mode: 'register', accessToken: 'b' });
  t.same(
    desk.requests.map((r) => r.userName),
    ['+79990000001', 'vk:2'],
  );
});

t.test('the provider first: a refused or failing token never reaches identity', async (t) => {
  const { vk, book, desk, flow } = setup();
  await t.rejects(flow.signIn({ provider: 'vk', mode: 'register', accessToken: '' }), {
    code: 'invalid_request',
    message: 'access_token is required',
  });
  vk.user = { clientId: 'someone-else' };
  await t.rejects(flow.signIn({ provider: 'vk', mode: 'register', accessToken: 'x' }), {
    code: 'provider_token_foreign',
    status: 401,
  });
  vk.userInfo = async () => {
    throw providerUnavailable('vk', 'failed (HTTP 503)');
  };
  await t.rejects(flow.signIn({ provider: 'vk', mode: 'login', accessToken: 'x' }), {
    code: 'provider_unavailable',
    status: 502,
  });
  await t.rejects(flow.signIn({ provider: 'yandex', mode: 'login', accessToken: 'x' }), {
    code: 'provider_not_configured',
    status: 404,
  });
  t.same(book.requests, [], 'identity was not asked');
  t.same(desk.requests, [], 'no tokens');
});

t.test("identity's refusals keep their code and say which route to use", async (t) => {
  const { mailru, book, desk, flow } = setup();
  mailru.user = { subject: '9', email: 'olga@mail.ru' };
  await t.rejects(flow.signIn({ provider: 'mailru', mode: 'login', accessToken: 't' }), {
    code: 'federated_identity_unknown',
    status: 404,
    message: 'this Mail.ru account is not registered: register with /mail.ru/registration',
  });
  await flow.signIn({ provider: 'mailru', mode: 'register', accessToken: 't' });
  await t.rejects(flow.signIn({ provider: 'mailru', mode: 'register', accessToken: 't' }), {
    code: 'federated_identity_exists',
    status: 409,
    message: 'this Mail.ru account is already registered: sign in with /mail.ru/login',
  });
  mailru.user = { subject: '10', email: 'OLGA@mail.ru' };
  await t.rejects(flow.signIn({ provider: 'mailru', mode: 'register', accessToken: 't' }), {
    code: 'email_taken',
    status: 409,
    message: /^another account already uses the e-mail address of this Mail\.ru account/,
  });
  book.seed({ phone: '+79995550000' });
  mailru.user = { subject: '11', phone: '+79995550000' };
  await t.rejects(flow.signIn({ provider: 'mailru', mode: 'register', accessToken: 't' }), {
    code: 'phone_taken',
    status: 409,
    message: /phone number/,
  });
  t.equal(desk.requests.length, 1, 'tokens only for the one registration that worked');
});

t.test("identity down passes as is; identity's other 4xx is our bug (internal)", async (t) => {
  const { book, flow } = setup();
  book.failWith(new PropuskError('unavailable', 'no identity service is answering'));
  await t.rejects(flow.signIn({ provider: 'vk', mode: 'login', accessToken: 't' }), {
    code: 'unavailable',
    status: 503,
  });
  book.failWith(new PropuskError('invalid_request', 'request does not match its schema'));
  await t.rejects(flow.signIn({ provider: 'vk', mode: 'login', accessToken: 't' }), {
    code: 'internal',
    message: 'identity.federatedSignIn answered invalid_request',
  });
});

t.test('tokens failing after a registration: the account stays, login is the way in', async (t) => {
  const { book, desk, flow } = setup();
  desk.failWith(new PropuskError('timeout'));
  const err = await flow
    .signIn({ provider: 'vk', mode: 'register', accessToken: 't' })
    .catch((e: unknown) => e);
  t.match(err, {
    code: 'unavailable',
    message: 'the VK ID account was registered, but signing in failed for now: retry with /vk/login',
    details: { registered: true, cause: 'timeout' },
  });
  t.ok(book.linked.has('vk:42'), 'the account was made and stays');

  const login = await flow
    .signIn({ provider: 'vk', mode: 'login', accessToken: 't' })
    .catch((e: unknown) => e);
  t.match(login, { code: 'timeout' }, 'a login failing the same way is just a dependency down');
  t.equal((login as PropuskError).details, undefined);

  desk.failWith(undefined);
  await t.rejects(flow.signIn({ provider: 'vk', mode: 'register', accessToken: 't' }), {
    code: 'federated_identity_exists',
  });
  t.ok(await flow.signIn({ provider: 'vk', mode: 'login', accessToken: 't' }));
});
