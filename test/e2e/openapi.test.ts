import t from 'tap';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { bootSuite } from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';
import { get, post, type Answer } from './helpers/http.js';

// The OpenAPI document and its page through the real gateway (all six processes), and what the
// document says checked against the API documents' own examples (shared/seeds 000–004, copied
// here verbatim) and against live answers: the document's schemas accept both.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Doc = {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, Json> };
};
type MediaObject = { schema?: Json };
type OperationObject = {
  parameters?: Array<{ name: string; schema: Json }>;
  requestBody?: { content: Record<string, MediaObject> };
  responses: Record<string, { content?: Record<string, MediaObject> }>;
};

/** Seed examples of request bodies: [path, method, content type, body]. */
const REQUEST_EXAMPLES: ReadonlyArray<[string, string, string, Json]> = [
  // 000: Registration Step One, Step Two, Auth, Update Access Token.
  [
    '/api/v1/admin/registration/code',
    'post',
    'application/json',
    { password: '4tfgefhey75uh', username: 'I0HuKc' },
  ],
  ['/api/v1/admin/registration', 'post', 'application/json', { code: 588227 }],
  ['/api/v1/admin/auth', 'post', 'application/json', { password: '4tfgefhey75uh', username: 'I0HuKc' }],
  [
    '/api/v1/admin/auth',
    'post',
    'application/json',
    {
      refresh_token:
        'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjaGF0X2lkIjo1MjQxNjQ0MDcsImV4cCI6MTYzOTEzMDMwNiwicmVmcmVzaF91dWlkIjoiZWM0NDExNmYtZmRkZS00ZWE2LWE2OTItYTVhNmI0ZTBmMjliIiwidXNlcm5hbWUiOiJJMEh1S2MifQ.Bm_E6IIW4k4FK7GDecwJOvxFVw248bkUTl8SZ5uJGVQ',
    },
  ],
  // 001: Request Example of both logins.
  [
    '/api/v1/auth/admin/',
    'post',
    'application/json',
    { username: 'test_admin', password: 'test_admin_pasword1' },
  ],
  [
    '/api/v1/auth/user/',
    'post',
    'application/json',
    { username: 'test_user', password: 'test_user_pasword1' },
  ],
  // 004: "Пример входных данных" of login and check_token.
  ['/api/v1/login/', 'post', 'application/json', { username: 'staff1', password: 'qwerty123' }],
  ['/api/v1/accounts/check_token/', 'post', 'application/json', { username: 'staff1' }],
];

/** Seed examples of answers: [path, method, status, body]. */
const RESPONSE_EXAMPLES: ReadonlyArray<[string, string, string, Json]> = [
  ['/api/v1/admin/registration/code', 'post', '200', {}],
  ['/api/v1/admin/logout', 'post', '200', { message: 'successfully logged out' }],
  [
    '/api/v1/auth/admin/',
    'post',
    '401',
    { data: { username: 'test_admin' }, errors: [{ code: 3001, message: 'bad credentials' }] },
  ],
  ['/api/v1/auth/logout/', 'get', '200', { data: { redirect: '/go/here/after/logout' } }],
  [
    '/api/v1/auth/logout/',
    'get',
    '401',
    {
      data: { redirect: '/go/here/after/failed/logout' },
      errors: [{ code: 3002, message: 'logout failure' }],
    },
  ],
  ['/validate/jwt/access', 'get', '200', false],
  [
    '/validate/jwt/refresh',
    'get',
    '200',
    {
      access:
        'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX25hbWUiOiJhbmRyZWptZWR2ZWRldjI3MTNAZ21haWwuY29tIiwiaGVhZGVyIjp7ImFsZyI6IkhTMjU2IiwidHlwIjoiSldUIiwidXVpZCI6ImE1ZWQyMGEyLTZlMzktNGExMy1hZGNkLTVlZDViNTkwODQzNSJ9LCJleHAiOjE3MzkyMzE5NDMsIm1vZGUiOiJhY2Nlc3NfdG9rZW4ifQ.PfhN-NI2_FWbuQkeR6wdcLDRhu5sK5EdCi9KRf5saRs',
      email: 'andrejmedvedev2713@gmail.com',
    },
  ],
  [
    '/api/v1/login/',
    'post',
    '200',
    {
      result: { status: 200, message: 'Авторизация прошла успешно' },
      data: { token: '48a22aa3a719bc8724fa36d5b1a...', username: 'staff1', role: 'staff' },
    },
  ],
  [
    '/api/v1/login/',
    'post',
    '401',
    { result: { status: 401, message: 'Неверные учетные данные' }, data: {} },
  ],
  [
    '/api/v1/logout/',
    'post',
    '200',
    { result: { status: 200, message: 'Выход выполнен успешно' }, data: {} },
  ],
  [
    '/api/v1/accounts/check_token/',
    'post',
    '403',
    { result: { status: 403, message: 'Имя пользователя не соответствует токену' }, data: {} },
  ],
];

/** A validator of the document's schemas: components reachable by their `$ref`s. */
function schemaChecker(doc: Doc) {
  // OpenAPI 3.1's dialect is JSON Schema 2020-12; `components` is no keyword, only a place to point at.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  return (schema: Json | undefined, value: Json): string | undefined => {
    if (schema === undefined || schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      return 'no schema';
    }
    const validate = ajv.compile(inDocument(schema));
    return validate(value) ? undefined : ajv.errorsText(validate.errors);
  };
}

/** A schema of an operation with its `#/components/...` references pointed into the added document. */
function inDocument(schema: { [key: string]: Json }): { [key: string]: Json } {
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        k === '$ref' && typeof x === 'string' ? `openapi.json${x}` : walk(x),
      ]),
    );
  };
  return walk(schema) as { [key: string]: Json };
}

const requestSchema = (doc: Doc, path: string, method: string, type: string) =>
  doc.paths[path]?.[method]?.requestBody?.content[type]?.schema;
const responseSchema = (doc: Doc, path: string, method: string, status: string) =>
  doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema;

t.test('the OpenAPI document and its page, through the real gateway', async (t) => {
  const suite = await bootSuite();
  t.teardown(() => suite.stop());
  const { url } = suite;

  const res = await get(url, '/docs/openapi.json');
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^application\/json/);
  const doc = res.body as Doc;
  t.equal(doc.openapi, '3.1.0');
  t.same(doc.servers, [{ url: suite.env.PUBLIC_BASE_URL }], 'the server is PUBLIC_BASE_URL');
  t.ok(doc.paths['/v2/auth/%D1%81ode']?.post, "document 003's Cyrillic path");

  const page = await get(url, '/docs');
  t.equal(page.status, 200);
  t.match(page.headers.get('content-type'), /^text\/html/);
  for (const path of Object.keys(doc.paths)) t.ok(page.text.includes(path), `the page lists ${path}`);

  const check = schemaChecker(doc);

  t.test("the documents' example requests are accepted by the documented request schemas", async (t) => {
    for (const [path, method, type, body] of REQUEST_EXAMPLES) {
      t.equal(
        check(requestSchema(doc, path, method, type), body),
        undefined,
        `${method.toUpperCase()} ${path}`,
      );
    }
    t.not(
      check(requestSchema(doc, '/api/v1/admin/registration', 'post', 'application/json'), { code: 'abc' }),
      undefined,
      'and a body the service refuses is refused',
    );
  });

  t.test("the documents' example answers are accepted by the documented response schemas", async (t) => {
    for (const [path, method, status, body] of RESPONSE_EXAMPLES) {
      t.equal(
        check(responseSchema(doc, path, method, status), body),
        undefined,
        `${method.toUpperCase()} ${path} ${status}`,
      );
    }
  });

  t.test('live answers of the services match what the document says of them', async (t) => {
    await createUsers(suite.databaseUrl, [
      { username: 'staff1', password: 'qwerty123-staff', roles: ['staff'] },
    ]);
    const cases: Array<[string, string, string, Answer]> = [
      [
        '/api/v1/login/',
        'post',
        '200',
        await post(url, '/api/v1/login/', { json: { username: 'staff1', password: 'qwerty123-staff' } }),
      ],
      [
        '/api/v1/login/',
        'post',
        '401',
        await post(url, '/api/v1/login/', { json: { username: 'staff1', password: 'wrong-password' } }),
      ],
      ['/api/v1/auth/user/', 'post', '400', await post(url, '/api/v1/auth/user/', { json: { username: 1 } })],
      ['/v2/auth/registration', 'post', '422', await post(url, '/v2/auth/registration', { json: {} })],
      ['/api/v1/admin/logout', 'post', '401', await post(url, '/api/v1/admin/logout')],
      ['/validate/jwt/access', 'get', '200', await get(url, '/validate/jwt/access?access=nope')],
      [
        '/.well-known/openid-configuration',
        'get',
        '200',
        await get(url, '/.well-known/openid-configuration'),
      ],
      [
        '/oauth2/introspect',
        'post',
        '401',
        await post(url, '/oauth2/introspect', {
          raw: 'token=x',
          contentType: 'application/x-www-form-urlencoded',
        }),
      ],
    ];
    for (const [path, method, status, answer] of cases) {
      const name = `${method.toUpperCase()} ${path} ${status}`;
      t.equal(String(answer.status), status, name);
      t.equal(
        check(responseSchema(doc, path, method, status), answer.body as Json),
        undefined,
        `${name}: ${answer.text}`,
      );
    }
  });
});
