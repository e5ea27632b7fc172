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
