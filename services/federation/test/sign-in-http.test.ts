// Profile authorization (document 002), `/{vk, mail.ru, yandex}/{registration, login}` through
// app.inject() on the real federation process, against the OAuth stand-ins, with fake identity
// and token services answering over real NATS in the test's namespace.
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { PROVIDER_PATHS, type ProviderId } from '../src/providers/provider.js';
import { startFakeIdentity, startFakeTokens } from './fixtures/fake-dependencies.js';
import { bootFederation } from './fixtures/federation.js';
import { expectedProfile, newPerson, providerUser, standInOf, tokenFor } from './fixtures/people.js';
import { startOAuthStandIns } from './fixtures/stand-ins.js';

const standIns = await startOAuthStandIns();
t.teardown(() => standIns.close());
const federation = await bootFederation(standIns);
t.teardown(() => federation.close());
const identity = await startFakeIdentity(federation.ns);
t.teardown(() => identity.close());
const tokens = await startFakeTokens(federation.ns);
t.teardown(() => tokens.close());
const book = identity.state;
const desk = tokens.state;
const { get } = federation;

const PROVIDERS: ProviderId[] = ['vk', 'yandex', 'mailru'];

function signIn(id: ProviderId, step: 'registration' | 'login', accessToken: string) {
  return get(`/${PROVIDER_PATHS[id]}/${step}?access_token=${encodeURIComponent(accessToken)}`);
}

function detail(res: LightMyRequestResponse) {
  return { status: res.statusCode, type: res.headers['content-type'], body: res.json() };
}

const DETAIL = (status: number, text: RegExp | string) => ({
  status,
  type: /^application\/json/,
  body: { detail: text },
});

/** What identity and the token service were asked from now on. */
function watch() {
  const identityFrom = book.requests.length;
  const tokensFrom = desk.requests.length;
  return {
    identity: () => book.requests.slice(identityFrom),
    tokens: () => desk.requests.slice(tokensFrom),
  };
}

for (const id of PROVIDERS) {
  const path = PROVIDER_PATHS[id];

  t.test(`${path}: link → callback → get/token → registration, then login`, async (t) => {
    const person = newPerson();
    standInOf(standIns, id).setUser(providerUser(id, person));
    const redirect = await federation.authorizeLink(id);
    const bound = (await federation.callback(redirect)).json<Record<string, string>>();
    const tokenRes = await get(`/${path}/get/token?${new URLSearchParams(bound)}`);
    t.equal(tokenRes.statusCode, 200, tokenRes.body);
    const accessToken = tokenRes.json<{ access_token: string }>().access_token;
    const seen = watch();

    const registered = await signIn(id, 'registration', accessToken);
    t.equal(registered.statusCode, 200, registered.body);
    t.match(registered.headers['content-type'], /^application\/json/);
    t.equal(registered.headers['cache-control'], 'no-store');
    t.same(Object.keys(registered.json()).sort(), ['access', 'refresh'], "document 002's fields");
    t.same(registered.json(), desk.issued.at(-1), "the token service's pair");
    t.same(seen.identity(), [{ mode: 'register', profile: expectedProfile(id, person) }]);
    const account = book.linked.get(`${id}:${person.subject}`);
    t.ok(account, 'identity made the account');
    t.same(seen.tokens(), [{ accountId: account?.id, userName: person.email, roles: [] }]);

    const login = await signIn(id, 'login', accessToken);
    t.equal(login.statusCode, 200, login.body);
    t.same(Object.keys(login.json()).sort(), ['access', 'refresh']);
    t.not(login.json<{ access: string }>().access, registered.json<{ access: string }>().access);
    t.same(
      seen.identity().map((r) => r.mode),
      ['register', 'login'],
    );
    t.equal(seen.tokens()[1]?.accountId, account?.id, 'the same account');
  });

  t.test(`${path}: registration twice is 409, login of someone unknown 404`, async (t) => {
    const person = newPerson();
    const accessToken = tokenFor(standIns, id, person);
    t.equal((await signIn(id, 'registration', accessToken)).statusCode, 200);
    const seen = watch();
    t.match(
      detail(await signIn(id, 'registration', accessToken)),
      DETAIL(
        409,
        new RegExp(
          `^this .+ account is already registered: sign in with /${path.replace('.', '\\.')}/login$`,
        ),
      ),
    );
    const stranger = tokenFor(standIns, id, newPerson());
    t.match(
      detail(await signIn(id, 'login', stranger)),
      DETAIL(
        404,
        new RegExp(
          `^this .+ account is not registered: register with /${path.replace('.', '\\.')}/registration$`,
        ),
      ),
    );
    t.same(seen.tokens(), [], 'no tokens for either');
  });

  t.test(
    `${path}: a token of another application or an unknown one is 401, identity not asked`,
    async (t) => {
      const seen = watch();
      const foreign = tokenFor(standIns, id, newPerson(), 'someone-else');
      for (const step of ['registration', 'login'] as const) {
        t.match(
          detail(await signIn(id, step, foreign)),
          DETAIL(401, /access token was issued to another application$/),
          `${step}, foreign`,
        );
        t.match(
          detail(await signIn(id, step, 'no-such-token')),
          DETAIL(401, /refused the access token: it is wrong, expired or revoked$/),
          `${step}, unknown`,
        );
      }
      t.same(seen.identity(), []);
    },
  );

  t.test(`${path}: a provider outage is a quick 502 and no identity call`, async (t) => {
    const standIn = standInOf(standIns, id);
    const accessToken = tokenFor(standIns, id, newPerson());
    const seen = watch();
    for (const mode of ['5xx', 'timeout'] as const) {
      standIn.setOutage(mode);
      t.teardown(() => standIn.setOutage(null));
      for (const step of ['registration', 'login'] as const) {
        const res = await signIn(id, step, accessToken);
        t.match(
          detail(res),
          DETAIL(502, /failed \(HTTP 503\)$|did not answer within \d+ ms$/),
          `${mode}, ${step}`,
        );
      }
    }
    standIn.setOutage(null);
    t.same(seen.identity(), [], 'identity saw nothing');
    t.same(seen.tokens(), []);
    t.equal((await signIn(id, 'registration', accessToken)).statusCode, 200, 'after the outage it works');
  });
}

t.test('access_token missing, empty, repeated or too long: 400 before anyone is asked', async (t) => {
  const seen = watch();
  const providerCalls = () => PROVIDERS.map((id) => standInOf(standIns, id).requests.length);
  const before = providerCalls();
  t.match(detail(await get('/vk/registration')), DETAIL(400, 'access_token is required'));
  t.match(detail(await get('/yandex/login?access_token=')), DETAIL(400, 'access_token is required'));
  t.match(
    detail(await get('/mail.ru/login?access_token=a&access_token=b')),
    DETAIL(400, 'access_token must be given once'),
  );
  t.match(
    detail(await get(`/vk/login?access_token=${'a'.repeat(5000)}`)),
    DETAIL(400, 'access_token is too long'),
  );
  t.same(providerCalls(), before, 'no provider was asked');
  t.same(seen.identity(), []);
});

t.test("VK's phone in any spelling reaches identity in E.164; user_name falls back", async (t) => {
  const person = newPerson();
  const seen = watch();
  const vkToken = standIns.vk.issueToken({
    user: {
      user_id: person.subject,
      email: '',
      phone: `8 (${person.phone.slice(2, 5)}) ${person.phone.slice(5)}`,
    },
  }).accessToken;
  t.equal((await signIn('vk', 'registration', vkToken)).statusCode, 200);
  t.equal(seen.identity()[0]?.profile.phone, person.phone, '8 (9XX) … → +79XX…');
  t.notOk('email' in (seen.identity()[0]?.profile ?? {}), 'no e-mail given, none invented');
  t.equal(seen.tokens()[0]?.userName, person.phone, 'no e-mail: the phone');

  const other = newPerson();
  const mailruToken = standIns.mailru.issueToken({ user: { id: other.subject, email: '' } }).accessToken;
  t.equal((await signIn('mailru', 'registration', mailruToken)).statusCode, 200);
  t.equal(seen.tokens()[1]?.userName, `mailru:${other.subject}`, 'neither: <provider>:<subject>');
});

t.test('an e-mail or phone that another account holds: 409, no tokens', async (t) => {
  const holder = newPerson();
  book.seed({ email: holder.email });
  const seen = watch();
  const sameEmail = tokenFor(standIns, 'yandex', { ...newPerson(), email: holder.email.toUpperCase() });
  t.match(
    detail(await signIn('yandex', 'registration', sameEmail)),
    DETAIL(409, /^another account already uses the e-mail address of this Yandex account/),
  );
  const phoneHolder = newPerson();
  book.seed({ phone: phoneHolder.phone });
  const samePhone = tokenFor(standIns, 'vk', { ...newPerson(), phone: phoneHolder.phone });
  t.match(
    detail(await signIn('vk', 'registration', samePhone)),
    DETAIL(409, /^another account already uses the phone number of this VK ID account/),
  );
  t.same(seen.tokens(), []);
});

t.test('HEAD does not sign in', async (t) => {
  const res = await federation.inject({ method: 'HEAD', url: '/vk/login?access_token=x' });
  t.equal(res.statusCode, 404);
});
