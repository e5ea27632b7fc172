import t from 'tap';
import fc from 'fast-check';
import { bootSuite } from '@propusk/testkit';
import { createUsers } from '../helpers/accounts.js';
import { ADMIN, createAdmin } from '../helpers/admin-telegram.js';
import { bearer, get, post } from '../helpers/http.js';
import { newPerson, registrationBody, V2, v2Client } from '../helpers/v2.js';

// Every documented JSON body of every profile, fuzzed through the gateway with fast-check:
// arbitrary JSON values, wrong types, huge strings, deep nesting and prototype-pollution keys,
// then malformed JSON, wrong content types and oversized bodies. Whatever arrives, the answer
// comes within 5 s, is never a 5xx, and is JSON in the route's profile shape; at the end every
// process is still up. Runs are bounded (FUZZ_RUNS scales them) so the file stays under a minute.

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const ANSWER_WITHIN_MS = 5000;
/** The gateway's body limit (proxy.ts): 16 KiB. */
const BODY_LIMIT = 16 * 1024;

type Profile = 'drf' | 'envelope' | 'admin-telegram' | 'v2' | 'authorization';

interface Route {
  profile: Profile;
  path: string;
  /** The document's example body, made valid for this suite. */
  valid: () => Record<string, unknown>;
  /** Routes that need a live token get it (else the gateway answers 401 before any body). */
  token?: () => string;
}

interface Sent {
  status: number;
  contentType: string | null;
  body: unknown;
  text: string;
  ms: number;
}

const keysOf = (v: unknown) => Object.keys((v ?? {}) as object).sort();
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why an answer is not in the profile's shape, or undefined when it is. */
function shapeProblem(profile: Profile, res: Sent): string | undefined {
  if (!/^application\/json/.test(res.contentType ?? '')) return `content-type ${res.contentType}`;
  const b = res.body;
  if (!isObject(b)) return 'not a JSON object';
  const failed = res.status >= 400;
  switch (profile) {
    case 'drf': {
      const r = b.result as Record<string, unknown> | undefined;
      if (keysOf(b).join() !== 'data,result' || !isObject(r) || !isObject(b.data))
        return 'not {result, data}';
      if (r.status !== res.status || typeof r.message !== 'string') return 'result.status/message';
      return undefined;
    }
    case 'envelope': {
      if (!isObject(b.data)) return 'no data object';
      if (!failed) return undefined;
      const errors = b.errors as unknown[];
      if (keysOf(b).join() !== 'data,errors' || !Array.isArray(errors) || errors.length === 0)
        return 'no errors';
      return errors.every((e) => isObject(e) && typeof e.code === 'number' && typeof e.message === 'string')
        ? undefined
        : 'errors[] not {code, message}';
    }
    case 'admin-telegram':
      if (!failed) return undefined;
      return keysOf(b).join() === 'message' && typeof b.message === 'string' ? undefined : 'not {message}';
    case 'v2':
      if (!failed) return keysOf(b).join() === 'data,message' ? undefined : 'not {message, data}';
      return keysOf(b).join() === 'code,message' &&
        typeof b.code === 'number' &&
        typeof b.message === 'string'
        ? undefined
        : 'not {code, message}';
    case 'authorization':
      if (!failed) return undefined;
      return keysOf(b).join() === 'detail' && typeof b.detail === 'string' ? undefined : 'not {detail}';
  }
}

t.test('fuzzing every documented JSON body through the gateway', async (t) => {
  const suite = await bootSuite({
    env: {
      // Reach the services' own checks on every run: no throttle answers them first.
      LOGIN_MAX_FAILURES_PER_IP: '100000',
      CODE_SENDS_PER_IP_PER_HOUR: '100000',
      CODE_CHECK_FAILURES_PER_IP: '100000',
    },
  });
  t.teardown(() => suite.stop());
  const { url } = suite;

  const password = 'fuzz-staff-pasword1';
  await createUsers(suite.databaseUrl, [{ username: 'fuzz_staff', password, roles: ['staff'] }]);
  await createAdmin(suite, { username: 'fuzz_admin', password, chatId: 4_400_001 });
  const login = await post(url, '/api/v1/login/', { json: { username: 'fuzz_staff', password } });
  const drfToken = (login.body as { data: { token: string } }).data.token;
  const person = newPerson();
  const v2Token = await v2Client(suite).register(person);

  const credentials = () => ({ username: 'fuzz_staff', password });
  const routes: Route[] = [
    { profile: 'drf', path: '/api/v1/login/', valid: credentials },
    { profile: 'drf', path: '/api/v1/accounts/login/', valid: credentials },
    {
      profile: 'drf',
      path: '/api/v1/check_token/',
      valid: () => ({ username: 'fuzz_staff' }),
      token: () => drfToken,
    },
    { profile: 'envelope', path: '/api/v1/auth/admin/', valid: credentials },
    { profile: 'envelope', path: '/api/v1/auth/user/', valid: credentials },
    {
      profile: 'admin-telegram',
      path: ADMIN.code,
      valid: () => ({ password: '4tfgefhey75uh', username: 'I0HuKc' }),
    },
    { profile: 'admin-telegram', path: ADMIN.registration, valid: () => ({ code: 588227 }) },
    { profile: 'admin-telegram', path: ADMIN.auth, valid: () => ({ username: 'fuzz_admin', password }) },
    {
      profile: 'admin-telegram',
      path: ADMIN.auth,
      valid: () => ({ refresh_token: 'eyJhbGciOiJIUzI1NiJ9.e30.x' }),
    },
    { profile: 'v2', path: V2.registration, valid: () => registrationBody(newPerson()) },
    {
      profile: 'v2',
      path: V2.verification,
      valid: () => ({ login: person.email_address }),
      token: () => v2Token,
    },
    {
      profile: 'v2',
      path: V2.loginByPassword,
      valid: () => ({ email_address: person.email_address, password: person.password }),
    },
    { profile: 'v2', path: V2.loginByPhone, valid: () => ({ phone_number: person.phone_number }) },
    { profile: 'v2', path: V2.passwordRecovery, valid: () => ({ login: person.e164 }) },
    { profile: 'v2', path: V2.code, valid: () => ({ login: person.e164, code: '123456' }) },
    { profile: 'v2', path: V2.codeCyrillic, valid: () => ({ login: person.email_address, code: '654321' }) },
    {
      profile: 'v2',
      path: V2.password,
      valid: () => ({ password: 'Brand-new-pass-1' }),
      token: () => v2Token,
    },
    {
      profile: 'authorization',
      path: '/authorization/registration',
      valid: () => ({
        phone_number: '+79001234567',
        email: 'fuzz@example.org',
        hash_password: 'Fuzz#pass-123',
      }),
    },
    {
      profile: 'authorization',
      path: '/authorization/login/email',
      valid: () => ({ email: 'fuzz@example.org', hash_password: 'Fuzz#pass-123' }),
    },
    {
      profile: 'authorization',
      path: '/authorization/login/phone/number',
      valid: () => ({ phone_number: '+79001234567', hash_password: 'Fuzz#pass-123' }),
    },
  ];

  let slowest = 0;
  /** POST raw bytes; every answer is checked the same way. */
  async function send(
    route: Route,
    body: string | undefined,
    contentType = 'application/json',
  ): Promise<Sent> {
    const headers: Record<string, string> = route.token ? bearer(route.token()) : {};
    if (contentType) headers['content-type'] = contentType;
    const started = performance.now();
    const res = await fetch(`${url}${route.path}`, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    slowest = Math.max(slowest, ms);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, contentType: res.headers.get('content-type'), body: parsed, text, ms };
  }

  /** The invariant of every answer; throws (so fast-check shrinks) with what was wrong. */
  function check(route: Route, sent: Sent, what: string): void {
    const problem =
      sent.status >= 500
        ? `HTTP ${sent.status}`
        : sent.ms > ANSWER_WITHIN_MS
          ? `${Math.round(sent.ms)} ms`
          : shapeProblem(route.profile, sent);
    if (problem)
      throw new Error(
        `${route.profile} ${route.path} ${what}: ${problem}; answered ${sent.status} ${sent.text.slice(0, 300)}`,
      );
  }

  const huge = fc.integer({ min: 1000, max: BODY_LIMIT - 512 }).map((n) => 'ж'.repeat(Math.floor(n / 2)));
  const anyValue = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.string({ unit: 'binary', maxLength: 64 }),
    huge,
    fc.constantFrom(
      null,
      true,
      0,
      -1,
      1e308,
      '',
      ' ',
      '\u0000',
      [],
      {},
      ['a'],
      { $ne: null },
      '../../etc/passwd',
    ),
  );
  const pollutionKey = fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
  );

  for (const route of routes) {
    t.test(`${route.profile} ${route.path}${route.valid().refresh_token ? ' (refresh)' : ''}`, async (t) => {
      const fields = Object.keys(route.valid());
      const properties: Array<[string, fc.IAsyncProperty<[string]>]> = [
        [
          'any JSON value as the body',
          fc.asyncProperty(
            fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
            async (body) => check(route, await send(route, body), body.slice(0, 80)),
          ),
        ],
        [
          'one field of a valid body replaced, dropped, or a key added',
          fc.asyncProperty(
            fc
              .tuple(
                fc.constantFrom(...fields, '(drop)', '(extra)'),
                fc.constantFrom(...fields),
                anyValue,
                fc.string({ maxLength: 20 }),
              )
              .map(([mode, field, value, extraKey]) => {
                const body: Record<string, unknown> = route.valid();
                if (mode === '(drop)') delete body[field];
                else if (mode === '(extra)') body[extraKey] = value;
                else body[mode] = value;
                return JSON.stringify(body);
              }),
            async (body) => check(route, await send(route, body), body.slice(0, 80)),
          ),
        ],
        [
          'prototype-pollution keys',
          fc.asyncProperty(
            fc.tuple(pollutionKey, fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => {
              const rest = JSON.stringify(route.valid()).slice(1);
              const polluted = JSON.stringify({
                admin: true,
                roles: ['superuser'],
                isAdmin: true,
                polluted: value,
              });
              return `{"${key}":${polluted},${rest}`;
            }),
            async (body) => check(route, await send(route, body), body.slice(0, 80)),
          ),
        ],
        [
          'deep nesting',
          fc.asyncProperty(
            fc
              .tuple(fc.integer({ min: 50, max: 8000 }), fc.constantFrom('[', '{"a":'))
              .map(([depth, open]) => {
                const close = open === '[' ? ']' : '}';
                const field = fields[0] as string;
                const levels = Math.min(depth, Math.floor((BODY_LIMIT - 64) / (open.length + 1)));
                return `{"${field}":${open.repeat(levels)}1${close.repeat(levels)}}`;
              }),
            async (body) => check(route, await send(route, body), `${body.length} bytes of nesting`),
          ),
        ],
      ];
      for (const [what, property] of properties) {
        await t.resolves(fc.assert(property, { numRuns: RUNS }), what);
      }
    });
  }

  t.test(
    'malformed JSON, wrong content types, oversized and empty bodies: 4xx in the profile shape',
    async (t) => {
      for (const route of routes) {
        const valid = JSON.stringify(route.valid());
        const form = new URLSearchParams(
          Object.entries(route.valid()).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString();
        const cases: Array<[string, string | undefined, string, number?]> = [
          ['truncated JSON', valid.slice(0, -1), 'application/json'],
          ['not JSON at all', 'username=a&password=b', 'application/json'],
          ['a trailing comma', `${valid.slice(0, -1)},}`, 'application/json'],
          ['a byte-order mark', `\ufeff${valid}`, 'application/json'],
          ['invalid UTF-8 escapes', '{"username":"\\ud800\\udc00\\uZZZZ"}', 'application/json'],
          ['an empty body', '', 'application/json'],
          ['no body at all', undefined, 'application/json'],
          ['text/plain', valid, 'text/plain'],
          ['a form', form, 'application/x-www-form-urlencoded'],
          [
            'multipart',
            `--b\r\ncontent-disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n`,
            'multipart/form-data; boundary=b',
          ],
          ['a JSON charset the service does not speak', valid, 'application/json; charset=utf-16'],
          ['no content type', valid, ''],
          [
            '17 KiB',
            JSON.stringify({ ...route.valid(), pad: 'x'.repeat(BODY_LIMIT + 1024) }),
            'application/json',
            413,
          ],
          ['1 MiB', 'x'.repeat(1024 * 1024), 'application/json', 413],
        ];
        for (const [what, body, type, status] of cases) {
          const sent = await send(route, body, type);
          check(route, sent, what);
          if (status) t.equal(sent.status, status, `${route.path}: ${what} → ${status}`);
          else t.ok(sent.status < 500, `${route.path}: ${what} → ${sent.status}`);
        }
      }
    },
  );

  t.test('U+0000 in every field (Postgres text cannot hold it): refused like any bad value', async (t) => {
    for (const route of routes) {
      for (const field of Object.keys(route.valid())) {
        for (const value of ['\u0000', 'x\u0000y', `${String(route.valid()[field])}\u0000`]) {
          const sent = await send(route, JSON.stringify({ ...route.valid(), [field]: value }));
          check(route, sent, `${field}: ${JSON.stringify(value)}`);
          t.ok(sent.status < 500, `${route.path} ${field} ${JSON.stringify(value)} → ${sent.status}`);
        }
      }
    }
  });

  t.test('document 002 query strings: NUL, bad escapes, huge and odd values never cause a 5xx', async (t) => {
    const values = [
      '%00',
      'a%00b',
      '%ZZ',
      '%',
      'x'.repeat(6000),
      '%F0%9F%98%80',
      '..%2F..%2Fetc%2Fpasswd',
      'a+b%20c',
      '%E2%80%AE',
    ];
    const targets: Array<[string, string[]]> = [
      ['/validate/jwt/access', ['access']],
      ['/validate/jwt/refresh', ['refresh']],
      ...['vk', 'yandex', 'mail.ru'].flatMap((p): Array<[string, string[]]> => [
        [`/${p}/callback`, ['code', 'state', 'device_id']],
        [`/${p}/get/token`, ['code', 'device_id']],
        [`/${p}/registration`, ['access_token']],
        [`/${p}/login`, ['access_token']],
      ]),
    ];
    for (const [path, params] of targets) {
      for (const value of values) {
        const query = params.map((p) => `${p}=${value}`).join('&');
        const res = await fetch(`${url}${path}?${query}`, {
          redirect: 'manual',
          signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
        });
        const text = await res.text();
        t.ok(
          res.status < 500,
          `${path}?${query.slice(0, 60)} → ${res.status} ${res.status >= 500 ? text : ''}`,
        );
        // 431: a request line past Node's 16 KiB header limit is refused before any route.
        if (res.status >= 400 && res.status !== 431)
          t.match(JSON.parse(text), { detail: String }, `${path}: {detail}`);
      }
    }
  });

  t.test(
    "the gateway's identity headers sent by a client are ignored on every protected route",
    async (t) => {
      const spoofed = {
        'x-propusk-subject': 'root',
        'x-propusk-username': 'root',
        'x-propusk-profile': 'drf',
        'x-propusk-token-id': 'forged',
        'x-propusk-roles': 'superuser',
        'x-propusk-token': drfToken,
      };
      for (const [profile, path] of [
        ['drf', '/api/v1/check_token/'],
        ['admin-telegram', ADMIN.logout],
        ['v2', V2.verification],
        ['v2', V2.password],
        ['v2', V2.signout],
      ] as const) {
        for (const profileHeader of ['drf', 'envelope', 'admin-telegram', 'v2']) {
          const res = await post(url, path, {
            json: {},
            headers: { ...spoofed, 'x-propusk-profile': profileHeader },
          });
          t.equal(res.status, 401, `${path} with ${profileHeader} identity headers and no token`);
          t.notOk(
            shapeProblem(profile, { ...res, contentType: res.headers.get('content-type'), ms: 0 }),
            'in its shape',
          );
        }
      }
    },
  );

  t.test('every answer came in time and every process is still up', async (t) => {
    t.ok(slowest < ANSWER_WITHIN_MS, `slowest answer ${Math.round(slowest)} ms`);
    const ready = await get(url, '/readyz');
    t.equal(ready.status, 200, ready.text);
    for (const h of suite.handles) t.equal(h.child.exitCode, null, `${h.proc.name} is running`);
  });
});
