// Registration and login while identity or the token service is down (nobody answers their
// NATS subjects): 503 with a detail; a registration whose tokens failed keeps its account and
// says to log in, and then registration answers 409 and login works.
import t from 'tap';
import { accountBook, startFakeIdentity, startFakeTokens, tokenDesk } from './fixtures/fake-dependencies.js';
import { bootFederation } from './fixtures/federation.js';
import { newPerson, tokenFor } from './fixtures/people.js';
import { startOAuthStandIns } from './fixtures/stand-ins.js';

const standIns = await startOAuthStandIns();
t.teardown(() => standIns.close());
const federation = await bootFederation(standIns);
t.teardown(() => federation.close());
const { get } = federation;

const UNAVAILABLE = { detail: 'Service temporarily unavailable, retry later' };

t.test('identity down: 503 for registration and login, no tokens', async (t) => {
  const desk = tokenDesk();
  const tokens = await startFakeTokens(federation.ns, desk);
  t.teardown(() => tokens.close());
  const accessToken = encodeURIComponent(tokenFor(standIns, 'yandex', newPerson()));
  for (const step of ['registration', 'login']) {
    const res = await get(`/yandex/${step}?access_token=${accessToken}`);
    t.equal(res.statusCode, 503, step);
    t.same(res.json(), UNAVAILABLE);
  }
  t.same(desk.requests, []);
});

t.test('the token service down after a registration: the account stays, login is the way in', async (t) => {
  const book = accountBook();
  const identity = await startFakeIdentity(federation.ns, book);
  t.teardown(() => identity.close());
  const person = newPerson();
  const accessToken = encodeURIComponent(tokenFor(standIns, 'mailru', person));

  const registered = await get(`/mail.ru/registration?access_token=${accessToken}`);
  t.equal(registered.statusCode, 503);
  t.same(registered.json(), {
    detail: 'the Mail.ru account was registered, but signing in failed for now: retry with /mail.ru/login',
  });
  t.ok(book.linked.has(`mailru:${person.subject}`), 'identity made the account, and it stays');

  const loginDown = await get(`/mail.ru/login?access_token=${accessToken}`);
  t.equal(loginDown.statusCode, 503, 'login while tokens are still down');
  t.same(loginDown.json(), UNAVAILABLE);

  const desk = tokenDesk();
  const tokens = await startFakeTokens(federation.ns, desk);
  t.teardown(() => tokens.close());
  const again = await get(`/mail.ru/registration?access_token=${accessToken}`);
  t.equal(again.statusCode, 409, 'the retry of registration');
  t.same(again.json(), {
    detail: 'this Mail.ru account is already registered: sign in with /mail.ru/login',
  });
  const login = await get(`/mail.ru/login?access_token=${accessToken}`);
  t.equal(login.statusCode, 200, login.body);
  t.same(login.json(), desk.issued[0]);
  t.equal(desk.requests[0]?.accountId, book.linked.get(`mailru:${person.subject}`)?.id);
});
