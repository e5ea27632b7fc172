import t from 'tap';
import { failureAnswer } from '../src/profiles/answers.js';

t.test("drf: document 004 shape, DRF's Russian messages", async (t) => {
  t.same(failureAnswer('drf', 'missing_credentials').body, {
    result: { status: 401, message: 'Учетные данные не были предоставлены.' },
    data: {},
  });
  t.same(failureAnswer('drf', 'invalid_token').body, {
    result: { status: 401, message: 'Недопустимый токен.' },
    data: {},
  });
  t.equal(failureAnswer('drf', 'invalid_token').status, 401);
  t.match(failureAnswer('drf', 'invalid_token').headers, { 'www-authenticate': /error="invalid_token"/ });
  t.match(failureAnswer('drf', 'payload_too_large'), {
    status: 413,
    body: { result: { status: 413 }, data: {} },
  });
  t.match(failureAnswer('drf', 'unavailable'), { status: 503, body: { result: { status: 503 }, data: {} } });
});

t.test("envelope: document 001 shape; a route's documented code, or the fallback codes", async (t) => {
  t.same(failureAnswer('envelope', 'invalid_token'), {
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="propusk", error="invalid_token"' },
    body: { data: {}, errors: [{ code: 3003, message: 'invalid token' }] },
  });
  t.same(failureAnswer('envelope', 'payload_too_large', { code: 3001 }).body, {
    data: {},
    errors: [{ code: 3001, message: 'request body too large' }],
  });
  t.same(failureAnswer('envelope', 'unavailable', { code: 3002 }).body, {
    data: {},
    errors: [{ code: 3002, message: 'service unavailable' }],
  });
  t.equal(failureAnswer('envelope', 'unavailable').status, 503);
  t.equal(failureAnswer('envelope', 'payload_too_large').status, 413);
});

t.test('admin-telegram: document 000\'s {"message"} for every failure, English', async (t) => {
  const cases = [
    ['missing_credentials', 401, /^an access token is required/],
    ['invalid_token', 401, /^the access token is invalid, expired or revoked/],
    ['bad_request', 400, /^the request is malformed$/],
    ['payload_too_large', 413, /^the request body is too large$/],
    ['not_found', 404, /^not found$/],
    ['unavailable', 503, /^a service is temporarily unavailable; retry later$/],
    ['timeout', 504, /^a service did not answer in time/],
    ['internal', 500, /^internal error$/],
  ] as const;
  for (const [failure, status, message] of cases) {
    const answer = failureAnswer('admin-telegram', failure);
    t.equal(answer.status, status, failure);
    t.same(Object.keys(answer.body as object), ['message'], failure);
    t.match((answer.body as { message: string }).message, message, failure);
  }
  t.same(failureAnswer('admin-telegram', 'missing_credentials').headers, {
    'www-authenticate': 'Bearer realm="propusk"',
  });
  t.same(failureAnswer('admin-telegram', 'invalid_token').headers, {
    'www-authenticate': 'Bearer realm="propusk", error="invalid_token"',
  });
  t.same(failureAnswer('admin-telegram', 'unavailable').headers, { 'retry-after': '1' });
});

t.test('not_found in the other shapes', async (t) => {
  t.same(failureAnswer('drf', 'not_found'), {
    status: 404,
    headers: {},
    body: { result: { status: 404, message: 'Не найдено.' }, data: {} },
  });
  t.same(failureAnswer('envelope', 'not_found').body, {
    data: {},
    errors: [{ code: 3008, message: 'not found' }],
  });
  t.same(failureAnswer('v2', 'not_found').body, { code: 404, message: 'Не найдено' });
  t.same(failureAnswer('authorization', 'not_found').body, { detail: 'Not found' });
});

const STATUSES = [
  ['missing_credentials', 401],
  ['invalid_token', 401],
  ['bad_request', 400],
  ['payload_too_large', 413],
  ['not_found', 404],
  ['unavailable', 503],
  ['timeout', 504],
  ['internal', 500],
] as const;

t.test('v2: document 003\'s {"code", "message"}, the code being the HTTP status, Russian', async (t) => {
  for (const [failure, status] of STATUSES) {
    const answer = failureAnswer('v2', failure);
    t.equal(answer.status, status, failure);
    const body = answer.body as { code: number; message: string };
    t.same(Object.keys(body), ['code', 'message'], failure);
    t.equal(body.code, status, `${failure}: code = HTTP status`);
    t.match(body.message, /^[А-ЯЁ][а-яё ,]+$/u, `${failure}: Russian (${body.message})`);
  }
  t.same(failureAnswer('v2', 'missing_credentials'), {
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="propusk"' },
    body: { code: 401, message: 'Требуется авторизация' },
  });
  t.same(failureAnswer('v2', 'invalid_token'), {
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="propusk", error="invalid_token"' },
    body: { code: 401, message: 'Недействительный токен' },
  });
  t.same(failureAnswer('v2', 'payload_too_large').body, { code: 413, message: 'Слишком большой запрос' });
  t.same(failureAnswer('v2', 'unavailable').headers, { 'retry-after': '1' });
});

t.test('authorization: document 002\'s {"detail"} for every failure', async (t) => {
  for (const [failure, status] of STATUSES) {
    const answer = failureAnswer('authorization', failure);
    t.equal(answer.status, status, failure);
    t.same(Object.keys(answer.body as object), ['detail'], failure);
  }
  t.same(failureAnswer('authorization', 'payload_too_large').body, {
    detail: 'The request body is too large',
  });
  t.same(failureAnswer('authorization', 'unavailable'), {
    status: 503,
    headers: { 'retry-after': '1' },
    body: { detail: 'Service temporarily unavailable, retry later' },
  });
});

t.test('method_not_allowed: 405 with Allow in every shape, the method named', async (t) => {
  const options = { method: 'GET', allow: ['POST'] };
  const headers = { allow: 'POST' };
  t.same(failureAnswer('drf', 'method_not_allowed', options), {
    status: 405,
    headers,
    // rest_framework/locale/ru: MethodNotAllowed.
    body: { result: { status: 405, message: 'Метод "GET" не разрешен.' }, data: {} },
  });
  t.same(failureAnswer('envelope', 'method_not_allowed', options), {
    status: 405,
    headers,
    body: { data: {}, errors: [{ code: 3010, message: 'method not allowed' }] },
  });
  t.same(
    failureAnswer('envelope', 'method_not_allowed', { ...options, code: 3001 }).body,
    { data: {}, errors: [{ code: 3001, message: 'method not allowed' }] },
    "a route's documented code, as for every other failure there",
  );
  t.same(failureAnswer('admin-telegram', 'method_not_allowed', options), {
    status: 405,
    headers,
    body: { message: 'method GET is not allowed here; the Allow header lists the methods that are' },
  });
  t.same(failureAnswer('v2', 'method_not_allowed', options), {
    status: 405,
    headers,
    body: { code: 405, message: 'Метод GET не разрешён, допустимые перечислены в заголовке Allow' },
  });
  t.same(failureAnswer('authorization', 'method_not_allowed', { method: 'POST', allow: ['GET'] }), {
    status: 405,
    headers: { allow: 'GET' },
    body: { detail: 'Method "POST" not allowed' },
  });
  t.same(failureAnswer('standard', 'method_not_allowed', { method: 'DELETE', allow: ['GET', 'POST'] }), {
    status: 405,
    headers: { allow: 'GET, POST' },
    body: { error: 'invalid_request', error_description: 'method DELETE not allowed' },
  });
  t.same(failureAnswer('drf', 'not_found', options).headers, {}, 'Allow only on a 405');
});
