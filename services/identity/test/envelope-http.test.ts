// Profile envelope (document 001), admin and user login: every documented answer, the role
// rule and bad input, through app.inject() on the real identity process.
import t from 'tap';
import { PropuskError } from '@propusk/contracts';
import { bootIdentity } from './fixtures/identity.js';

const identity = await bootIdentity();
t.teardown(() => identity.close());

const PASSWORD = 'correct horse 42';
const ids = {
  admin: await identity.seed({ username: 'test_admin', roles: ['admin'] }),
  root: await identity.seed({ username: 'root', roles: ['superuser'] }),
  staff: await identity.seed({ username: 'staff1', roles: ['staff'] }),
  user: await identity.seed({ username: 'test_user' }),
};
const ADMIN = '/api/v1/auth/admin/';
const USER = '/api/v1/auth/user/';

function badCredentials(username: string | undefined, message = 'bad credentials') {
  return { data: username === undefined ? {} : { username }, errors: [{ code: 3001, message }] };
}

t.test('admin login: admin and superuser get {"data": {"token"}}', async (t) => {
  for (const [username, id, roles] of [
    ['test_admin', ids.admin, ['admin']],
    ['root', ids.root, ['superuser']],
  ] as const) {
    for (const url of [ADMIN, '/api/v1/auth/admin']) {
      const res = await identity.post(url, { username, password: PASSWORD });
      t.equal(res.statusCode, 200, `${username} ${url}`);
      t.match(res.headers['content-type'], /^application\/json/);
      t.same(res.json(), { data: { token: identity.tokens.issued.at(-1) } });
      t.same(identity.tokens.envelope.at(-1), { accountId: id, username, roles });
    }
  }
});

t.test('admin login: a right password without the role is answered exactly like a wrong one', async (t) => {
  const wrong = await identity.post(ADMIN, { username: 'test_admin', password: 'wrong password' });
  t.equal(wrong.statusCode, 401);
  t.same(wrong.json(), badCredentials('test_admin'));
  const issuedBefore = identity.tokens.envelope.length;
  for (const username of ['staff1', 'test_user']) {
    const res = await identity.post(ADMIN, { username, password: PASSWORD });
    t.equal(res.statusCode, 401, username);
    t.same(res.json(), badCredentials(username), username);
    t.equal(res.body, JSON.stringify(badCredentials(username)), 'byte for byte the wrong-password body');
  }
  t.equal(identity.tokens.envelope.length, issuedBefore, 'no token was issued');
});

t.test('user login: any account', async (t) => {
  for (const username of ['test_user', 'staff1', 'test_admin']) {
    const res = await identity.post(USER, { username, password: PASSWORD });
    t.equal(res.statusCode, 200, username);
    t.same(res.json(), { data: { token: identity.tokens.issued.at(-1) } });
  }
  t.same(identity.tokens.envelope.at(-1), { accountId: ids.admin, username: 'test_admin', roles: ['admin'] });
});

t.test('401: wrong password or unknown user, the username echoed', async (t) => {
  for (const [url, body] of [
    [USER, { username: 'test_user', password: 'wrong password' }],
    [USER, { username: 'nobody', password: PASSWORD }],
    [ADMIN, { username: 'nobody', password: PASSWORD }],
  ] as const) {
    const res = await identity.post(url, body);
    t.equal(res.statusCode, 401, `${url} ${body.username}`);
    t.same(res.json(), badCredentials(body.username));
  }
});

t.test('400: bad input in the envelope, echoing the username only when it is a string', async (t) => {
  const cases: Array<[unknown, string | undefined]> = [
    [{}, undefined],
    [{ username: 'test_user' }, 'test_user'],
    [{ password: PASSWORD }, undefined],
    [{ username: '', password: PASSWORD }, ''],
    [{ username: 'test_user', password: '' }, 'test_user'],
    [{ username: 7, password: PASSWORD }, undefined],
    [{ username: { $ne: null }, password: PASSWORD }, undefined],
    [{ username: 'test_user', password: true }, 'test_user'],
    [{ username: 'test_user', password: PASSWORD, admin: true }, 'test_user'],
    [['test_user', PASSWORD], undefined],
    ['test_user', undefined],
    [null, undefined],
  ];
  for (const url of [USER, ADMIN]) {
    for (const [body, echo] of cases) {
      const res = await identity.post(url, JSON.stringify(body));
      t.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}`);
      t.same(res.json(), badCredentials(echo), `${url} ${JSON.stringify(body)}`);
    }
  }
});

t.test('400: malformed JSON, an empty body, no body', async (t) => {
  for (const payload of ['{"username": "test_user",', '']) {
    const res = await identity.post(USER, payload);
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.same(res.json(), badCredentials(undefined));
  }
  const none = await identity.inject({ method: 'POST', url: USER });
  t.equal(none.statusCode, 400);
  t.same(none.json(), badCredentials(undefined));
});

t.test('413 and 415 in the envelope', async (t) => {
  const big = await identity.post(USER, { username: 'test_user', password: 'x'.repeat(17 * 1024) });
  t.equal(big.statusCode, 413);
  t.same(big.json(), badCredentials(undefined, 'request body too large'));
  const form = await identity.post(USER, 'username=test_user&password=x', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.equal(form.statusCode, 415, 'form bodies are drf only');
  t.same(form.json(), badCredentials(undefined, 'unsupported content type'));
});

t.test('503 in the envelope when the token service is down', async (t) => {
  t.teardown(() => identity.tokens.failWith(undefined));
  identity.tokens.failWith(new PropuskError('unavailable', 'no signing key'));
  const res = await identity.post(ADMIN, { username: 'test_admin', password: PASSWORD });
  t.equal(res.statusCode, 503);
  t.same(res.json(), badCredentials('test_admin', 'service unavailable'));
});
