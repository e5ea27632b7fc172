// Profile drf (document 004), login: every documented answer and bad input, through
// app.inject() on the real identity process, with a fake token service over real NATS.
import t from 'tap';
import { PropuskError } from '@propusk/contracts';
import { bootIdentity } from './fixtures/identity.js';

const identity = await bootIdentity();
t.teardown(() => identity.close());

const PASSWORD = 'correct horse 42';
const ids = {
  staff1: await identity.seed({ username: 'staff1', roles: ['staff'] }),
  root: await identity.seed({ username: 'root', roles: ['superuser', 'staff'] }),
  boss: await identity.seed({ username: 'boss', roles: ['admin'] }),
  plain: await identity.seed({ username: 'plain' }),
};

const UNAUTHORIZED = { result: { status: 401, message: 'Неверные учетные данные' }, data: {} };
const MISSING = { result: { status: 400, message: 'Отсутствует логин или пароль' }, data: {} };

t.test('200: the documented success body, a 40-hex token from the token service', async (t) => {
  for (const url of [
    '/api/v1/login/',
    '/api/v1/login',
    '/api/v1/accounts/login/',
    '/api/v1/accounts/login',
  ]) {
    const res = await identity.post(url, { username: 'staff1', password: PASSWORD });
    t.equal(res.statusCode, 200, url);
    t.match(res.headers['content-type'], /^application\/json/);
    const token = identity.tokens.issued.at(-1);
    t.match(token, /^[0-9a-f]{40}$/);
    t.same(res.json(), {
      result: { status: 200, message: 'Авторизация прошла успешно' },
      data: { token, username: 'staff1', role: 'staff' },
    });
  }
  t.same(identity.tokens.drf.at(-1), { accountId: ids.staff1, username: 'staff1', roles: ['staff'] });
});

t.test('role: superuser, staff (staff or admin) or no_role', async (t) => {
  const cases: Array<[string, string]> = [
    ['root', 'superuser'],
    ['staff1', 'staff'],
    ['boss', 'staff'],
    ['plain', 'no_role'],
  ];
  for (const [username, role] of cases) {
    const res = await identity.post('/api/v1/login/', { username, password: PASSWORD });
    t.equal(res.statusCode, 200, username);
    t.equal(res.json().data.role, role, username);
  }
});

t.test('200 for the username in another case or width, answered as registered (issue 15)', async (t) => {
  for (const username of ['STAFF1', 'Staff1', '\uFF53taff1']) {
    const res = await identity.post('/api/v1/login/', { username, password: PASSWORD });
    t.equal(res.statusCode, 200, username);
    t.equal(res.json().data.username, 'staff1', username);
  }
});

t.test('401: wrong password, unknown user, a look-alike of the username', async (t) => {
  for (const body of [
    { username: 'staff1', password: 'wrong password' },
    { username: 'nobody', password: PASSWORD },
    { username: '\u0455taff1', password: PASSWORD }, // Cyrillic ѕ
  ]) {
    const res = await identity.post('/api/v1/login/', body);
    t.equal(res.statusCode, 401, body.username);
    t.same(res.json(), UNAUTHORIZED);
  }
});

t.test(
  '400 "Отсутствует логин или пароль" (document 004) when the login or the password is missing',
  async (t) => {
    const bodies: unknown[] = [
      {},
      { username: 'staff1' },
      { password: PASSWORD },
      { username: '', password: PASSWORD },
      { username: 'staff1', password: '' },
      { username: 'staff1', password: null },
      { username: null, password: null },
      { username: 42, admin: true },
      null,
    ];
    for (const body of bodies) {
      const res = await identity.post('/api/v1/login/', JSON.stringify(body));
      t.equal(res.statusCode, 400, JSON.stringify(body));
      t.same(res.json(), MISSING, JSON.stringify(body));
    }
  },
);

t.test('400 saying what is wrong, as DRF serializers do, when both are there but unusable', async (t) => {
  const bad = (message: string) => ({ result: { status: 400, message }, data: {} });
  const cases: Array<[unknown, string]> = [
    [{ username: 42, password: PASSWORD }, 'username: Некорректный тип. Ожидалась строка, получен int.'],
    [
      { username: 'staff1', password: 12345678 },
      'password: Некорректный тип. Ожидалась строка, получен int.',
    ],
    [{ username: 'staff1', password: 1.5 }, 'password: Некорректный тип. Ожидалась строка, получен float.'],
    [{ username: true, password: PASSWORD }, 'username: Некорректный тип. Ожидалась строка, получен bool.'],
    [
      { username: ['staff1'], password: PASSWORD },
      'username: Некорректный тип. Ожидалась строка, получен list.',
    ],
    [
      { username: { a: 1 }, password: PASSWORD },
      'username: Некорректный тип. Ожидалась строка, получен dict.',
    ],
    [
      { username: 'u'.repeat(5000), password: PASSWORD },
      'username: Убедитесь, что в этом поле не больше 320 символов.',
    ],
    [
      { username: 'staff1', password: 'p'.repeat(1025) },
      'password: Убедитесь, что в этом поле не больше 1024 символов.',
    ],
    [
      { username: 'staff1', password: PASSWORD, admin: true },
      'admin: Неизвестное поле: передаются только username и password.',
    ],
    [
      { username: 7, password: PASSWORD, role: 'superuser' },
      'username: Некорректный тип. Ожидалась строка, получен int. ' +
        'role: Неизвестное поле: передаются только username и password.',
    ],
    [
      [{ username: 'staff1', password: PASSWORD }],
      'Недопустимые данные. Ожидался dictionary, но был получен list.',
    ],
    ['staff1', 'Недопустимые данные. Ожидался dictionary, но был получен str.'],
    [7, 'Недопустимые данные. Ожидался dictionary, но был получен int.'],
  ];
  for (const [body, message] of cases) {
    const res = await identity.post('/api/v1/login/', JSON.stringify(body));
    t.equal(res.statusCode, 400, JSON.stringify(body).slice(0, 80));
    t.same(res.json(), bad(message), JSON.stringify(body).slice(0, 80));
  }
  t.equal(identity.tokens.drf.filter((s) => s.username !== 'staff1' && s.username !== 'root').length, 2);
});

t.test('400: malformed JSON, an empty body, no body', async (t) => {
  const bad = await identity.post('/api/v1/login/', '{"username": "staff1", "password": ');
  t.equal(bad.statusCode, 400);
  t.same(bad.json(), { result: { status: 400, message: 'Некорректный JSON в теле запроса' }, data: {} });
  const empty = await identity.post('/api/v1/login/', '');
  t.equal(empty.statusCode, 400);
  t.same(empty.json(), MISSING);
  const none = await identity.inject({ method: 'POST', url: '/api/v1/login/' });
  t.equal(none.statusCode, 400);
  t.same(none.json(), MISSING);
  const text = await identity.post('/api/v1/login/', 'username=staff1', {
    headers: { 'content-type': 'text/plain' },
  });
  t.equal(text.statusCode, 400);
  t.same(text.json(), {
    result: { status: 400, message: 'Недопустимые данные. Ожидался dictionary, но был получен str.' },
    data: {},
  });
  const emptyText = await identity.post('/api/v1/login/', '', { headers: { 'content-type': 'text/plain' } });
  t.equal(emptyText.statusCode, 400);
  t.same(emptyText.json(), MISSING, 'an empty text body sent nothing');
});

t.test('form bodies are accepted, as Django REST framework does', async (t) => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const ok = await identity.post(
    '/api/v1/login/',
    `username=staff1&password=${encodeURIComponent(PASSWORD)}`,
    {
      headers: form,
    },
  );
  t.equal(ok.statusCode, 200);
  t.equal(ok.json().data.username, 'staff1');
  const missing = await identity.post('/api/v1/login/', 'username=staff1', { headers: form });
  t.equal(missing.statusCode, 400);
  t.same(missing.json(), MISSING);
  const extra = await identity.post('/api/v1/login/', `username=staff1&password=x&next=%2F`, {
    headers: form,
  });
  t.equal(extra.statusCode, 400);
  t.same(extra.json(), {
    result: { status: 400, message: 'next: Неизвестное поле: передаются только username и password.' },
    data: {},
  });
});

t.test('415: a content type no parser takes, in the profile shape', async (t) => {
  const res = await identity.post('/api/v1/login/', '<login/>', {
    headers: { 'content-type': 'application/xml' },
  });
  t.equal(res.statusCode, 415);
  t.same(res.json(), { result: { status: 415, message: 'Неподдерживаемый тип содержимого' }, data: {} });
});

t.test('413: a body over 16 KiB, in the profile shape', async (t) => {
  const res = await identity.post('/api/v1/login/', { username: 'staff1', password: 'x'.repeat(17 * 1024) });
  t.equal(res.statusCode, 413);
  t.same(res.json(), { result: { status: 413, message: 'Слишком большой запрос' }, data: {} });
});

t.test('503: the token service is down or answers an error', async (t) => {
  t.teardown(() => identity.tokens.failWith(undefined));
  identity.tokens.failWith(new PropuskError('unavailable', 'signing keys unreachable'));
  const res = await identity.post('/api/v1/login/', { username: 'staff1', password: PASSWORD });
  t.equal(res.statusCode, 503);
  t.same(res.json(), {
    result: { status: 503, message: 'Сервис временно недоступен, повторите попытку позже' },
    data: {},
  });
  identity.tokens.failWith(new PropuskError('internal', 'bug'));
  const bug = await identity.post('/api/v1/login/', { username: 'staff1', password: PASSWORD });
  t.equal(bug.statusCode, 500);
  t.same(bug.json(), { result: { status: 500, message: 'Внутренняя ошибка сервера' }, data: {} });
});
