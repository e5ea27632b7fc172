// The OpenAPI document and its page: every route and method of the table is documented, with
// the very schemas the services check requests with; the document is valid OpenAPI 3.1.
import { readFileSync } from 'node:fs';
import t from 'tap';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { TSchema } from '@propusk/contracts';
import { createHttpServer } from '@propusk/kit';
import { allowAll } from './fixtures/allow-all.js';
import { createSchemaCatalogue } from '../src/docs/json-schema.js';
import { buildOpenApi, documentedPath } from '../src/docs/openapi.js';
import { OPERATIONS, operationKey, type OperationKey } from '../src/docs/operations.js';
import { registerDocs } from '../src/docs/routes.js';
import { registerNotFound } from '../src/not-found.js';
import { registerProxies } from '../src/proxy.js';
import { ROUTES, V2_CYRILLIC_CODE_PATH, type RouteEntry } from '../src/routes/table.js';
import { silentLog } from './fixtures/jwt.js';
import { DOWN } from './fixtures/services.js';
// The services' own route modules: what each one checks requests with.
import { registerAdminTelegramRoutes } from '../../services/identity/src/profiles/admin-telegram/routes.js';
import { registerAuthorizationRoutes as registerIdentityAuthorization } from '../../services/identity/src/profiles/authorization/routes.js';
import { registerDrfRoutes as registerIdentityDrf } from '../../services/identity/src/profiles/drf/routes.js';
import { registerEnvelopeRoutes as registerIdentityEnvelope } from '../../services/identity/src/profiles/envelope/routes.js';
import { V2_BODY_SCHEMAS } from '../../services/identity/src/profiles/v2/body.js';
import { CHECK_TOKEN_BODY } from '../../services/token/src/profiles/drf/body.js';
import { TOKEN_FORM } from '../../services/token/src/profiles/oauth/body.js';
import { VALIDATE_QUERIES } from '../../services/token/src/profiles/authorization/routes.js';
import { PROVIDER_QUERIES } from '../../services/federation/src/profiles/authorization/routes.js';

const PUBLIC_BASE_URL = 'https://auth.example.test';

/** The gateway's HTTP side as app.ts wires it: proxies, the documentation, the 404s. */
async function gateway(t: { teardown(fn: () => unknown): void }): Promise<FastifyInstance> {
  const app = createHttpServer({ log: silentLog, readiness: {} });
  t.teardown(() => app.close());
  await registerProxies(app, ROUTES, { upstreams: DOWN, auth: allowAll });
  registerDocs(app, { publicBaseUrl: PUBLIC_BASE_URL, routes: ROUTES });
  registerNotFound(app, ROUTES);
  await app.ready();
  return app;
}

type Doc = {
  openapi: string;
  info: { version: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};
type Operation = {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required: boolean; schema: unknown }>;
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, unknown>;
};

async function fetchDoc(app: FastifyInstance): Promise<Doc> {
  const res = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /docs/openapi.json: ${res.statusCode}`);
  return res.json<Doc>();
}

const tableMethods = (route: RouteEntry) =>
  route.methods.map((m) => [m, documentedPath(route.path)] as const);

t.test('GET /docs/openapi.json: OpenAPI 3.1 from the gateway itself, built once', async (t) => {
  const app = await gateway(t);
  const first = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
  t.equal(first.statusCode, 200);
  t.match(first.headers['content-type'], /^application\/json/);
  const doc = first.json<Doc>();
  t.equal(doc.openapi, '3.1.0');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  t.equal(doc.info.version, pkg.version, "info.version is the gateway package's");
  t.same(doc.servers, [{ url: PUBLIC_BASE_URL }], 'the server is PUBLIC_BASE_URL');
  const again = await app.inject({ method: 'GET', url: '/docs/openapi.json/' });
  t.equal(again.statusCode, 200, 'with a trailing slash too');
  t.equal(again.body, first.body, 'the same document every time');
});

t.test('every route of the table and each of its methods is in `paths`, and nothing else', async (t) => {
  const doc = await fetchDoc(await gateway(t));
  const expected = new Set<string>();
  for (const route of ROUTES) {
    for (const [method, path] of tableMethods(route)) {
      expected.add(`${method} ${path}`);
      t.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path}`);
    }
  }
  const listed = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
  );
  t.same(new Set(listed), expected, 'no operation beyond the table');
  t.ok(doc.paths['/v2/auth/%D1%81ode']?.post, "document 003's Cyrillic spelling, percent-encoded");
  t.ok(doc.paths['/v2/auth/code']?.post, 'and the ASCII one');
  t.equal(documentedPath(V2_CYRILLIC_CODE_PATH), '/v2/auth/%D1%81ode');
  t.ok(doc.paths['/api/v1/auth/admin/']?.post, 'the documented spelling, trailing slash and all');
  const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
  t.equal(new Set(ids).size, ids.length, 'operation ids are unique');
});

t.test('every operation of the map is a route of the table (none is stale)', async (t) => {
  const routed = new Set(ROUTES.flatMap((r) => r.methods.map((m) => operationKey(m, r.path))));
  for (const key of Object.keys(OPERATIONS)) t.ok(routed.has(key as OperationKey), key);
});

t.test('a route without an operation stops the build', async (t) => {
  const extra: RouteEntry = {
    path: '/v2/auth/nope',
    methods: ['POST'],
    upstream: 'identity',
    profile: 'v2',
    auth: 'none',
  };
  t.throws(
    () => buildOpenApi({ publicBaseUrl: PUBLIC_BASE_URL, routes: [...ROUTES, extra] }),
    /POST \/v2\/auth\/nope/,
  );
  const getToo: RouteEntry = { ...(ROUTES[0] as RouteEntry), methods: ['GET', 'POST'] };
  t.throws(() => buildOpenApi({ publicBaseUrl: PUBLIC_BASE_URL, routes: [getToo] }), /GET /, 'a method too');
});

/**
 * Operations without a client error of their own: discovery and the JWK Set take no input, and
 * /validate/jwt/access answers `false` for anything that is not a live token (document 002).
 */
t.test('every operation documents a 2xx, a 4xx and the gateway 429 of its rate limit', async (t) => {
  const doc = await fetchDoc(await gateway(t));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const key = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(op.responses).map(Number);
      t.ok(
        statuses.some((s) => s >= 200 && s < 300),
        `${key}: a 2xx`,
      );
      // Introspection and revocation serve internal callers: no address budget (rate-limit/policy.ts);
      // their 429 is the token service's throttle of failed client authentications.
      if (path.startsWith('/oauth2/'))
        t.notMatch(
          String((op.responses['429'] as { description?: string } | undefined)?.description ?? ''),
          /the gateway/,
          `${key}: no address budget`,
        );
      else t.ok(statuses.includes(429), `${key}: the rate limit's 429`);
    }
  }
});

/** Registers a service's routes on a bare Fastify and records the body schema of each. */
async function bodySchemas(register: (app: FastifyInstance) => Promise<void>): Promise<Map<string, unknown>> {
  const app = Fastify({ logger: false });
  const seen = new Map<string, unknown>();
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) seen.set(`${method} ${route.url}`, route.schema?.body);
  });
  await register(app);
  await app.ready();
  await app.close();
  return seen;
}

/** Dependencies a route registration keeps for its handlers; none runs here. */
const unused = <T>() => ({}) as T;

/** What each service checks the request of an operation with: body (or form) and query schemas. */
async function serviceSchemas(): Promise<{ body: Map<string, unknown>; query: Map<string, unknown> }> {
  const body = new Map<string, unknown>();
  // identity: Fastify validates these bodies with the route's schema (TypeBox's checker).
  for (const register of [
    (app: FastifyInstance) => registerAdminTelegramRoutes(app, unused()),
    (app: FastifyInstance) => registerIdentityAuthorization(app, unused()),
    (app: FastifyInstance) => registerIdentityEnvelope(app, unused()),
    (app: FastifyInstance) => registerIdentityDrf(app, unused()),
  ]) {
    for (const [key, schema] of await bodySchemas(register)) if (schema !== undefined) body.set(key, schema);
  }
  // identity, document 003: field by field, names and limits from these schemas.
  const v2 = V2_BODY_SCHEMAS;
  for (const [path, schema] of [
    ['/v2/auth/registration', v2.registration],
    ['/v2/auth/verification', v2.login],
    ['/v2/auth/loginByPassword', v2.passwordLogin],
    ['/v2/auth/loginByPhone', v2.phoneLogin],
    ['/v2/auth/passwordRecovery', v2.login],
    ['/v2/auth/code', v2.code],
    [V2_CYRILLIC_CODE_PATH, v2.code],
    ['/v2/auth/password', v2.newPassword],
  ] as const) {
    body.set(`POST ${path}`, schema);
  }
  // token: check_token's body, the introspection and revocation form.
  for (const base of ['/api/v1', '/api/v1/accounts']) body.set(`POST ${base}/check_token/`, CHECK_TOKEN_BODY);
  body.set('POST /oauth2/introspect', TOKEN_FORM);
  body.set('POST /oauth2/revoke', TOKEN_FORM);

  const query = new Map<string, unknown>([
    ['GET /validate/jwt/access', VALIDATE_QUERIES.access],
    ['GET /validate/jwt/refresh', VALIDATE_QUERIES.refresh],
  ]);
  for (const provider of ['vk', 'mail.ru', 'yandex']) {
    query.set(`GET /${provider}/callback`, PROVIDER_QUERIES.callback);
    query.set(`GET /${provider}/get/token`, PROVIDER_QUERIES.token);
    query.set(`GET /${provider}/registration`, PROVIDER_QUERIES.signIn);
    query.set(`GET /${provider}/login`, PROVIDER_QUERIES.signIn);
  }
  return { body, query };
}

/** Documented, not checked by us: Telegram's Update goes to grammY as it is (behind the secret header). */
const UNCHECKED_BODIES = new Set(['POST /telegram/webhook']);

t.test('every request schema in the document is the very object the service validates with', async (t) => {
  const doc = await fetchDoc(await gateway(t));
  const services = await serviceSchemas();
  const catalogue = createSchemaCatalogue();
  const ref = (schema: TSchema) => `#/components/schemas/${catalogue.nameOf(schema) ?? '?'}`;
  let bodies = 0;
  let queries = 0;
  for (const route of ROUTES) {
    for (const method of route.methods) {
      const key = operationKey(method, route.path);
      const op = OPERATIONS[key];
      const documented = doc.paths[documentedPath(route.path)]?.[method.toLowerCase()];
      if (!op || !documented) {
        t.fail(`${key} is not documented`);
        continue;
      }
      if (op.body) {
        bodies++;
        if (!UNCHECKED_BODIES.has(key))
          t.equal(op.body.schema, services.body.get(key), `${key}: request body`);
        for (const [type, media] of Object.entries(documented.requestBody?.content ?? {})) {
          t.equal(media.schema.$ref, ref(op.body.schema), `${key}: ${type} refers to that schema`);
        }
      } else {
        t.equal(
          services.body.get(key),
          undefined,
          `${key}: the service checks a body the document does not show`,
        );
        t.notOk(documented.requestBody, `${key}: no request body`);
      }
      if (op.query) {
        queries++;
        t.equal(op.query, services.query.get(key), `${key}: query string`);
        t.same(
          documented.parameters?.map((p) => [p.name, p.in, p.required]),
          Object.keys(op.query.properties).map((name) => [
            name,
            'query',
            (op.query?.required ?? []).includes(name),
          ]),
          `${key}: one query parameter per property`,
        );
      } else
        t.equal(
          services.query.get(key),
          undefined,
          `${key}: the service reads a query the document does not show`,
        );
    }
  }
  t.equal(bodies, services.body.size + UNCHECKED_BODIES.size, 'every checked body is documented');
  t.equal(queries, services.query.size, 'every checked query is documented');
});

t.test('components are the contracts schemas in JSON: TypeBox symbols and $id left behind', async (t) => {
  const doc = await fetchDoc(await gateway(t));
  const text = JSON.stringify(doc.components.schemas);
  t.notMatch(text, /"\$id"/);
  t.match(doc.components.schemas, {
    V2RegistrationBody: {
      type: 'object',
      required: ['name', 'surname', 'email_address', 'phone_number', 'password'],
    },
    AdminTelegramAuthBody: {
      anyOf: [
        { $ref: '#/components/schemas/AdminTelegramLoginBody' },
        { $ref: '#/components/schemas/AdminTelegramRefreshBody' },
      ],
    },
    PasswordLoginBody: { additionalProperties: false },
  });
});

t.test('security: bearer JWTs, drf `Bearer`/`Token`, HTTP Basic for introspection clients', async (t) => {
  const doc = await fetchDoc(await gateway(t));
  const security = (path: string, method = 'post') => doc.paths[path]?.[method]?.security;
  t.same(security('/api/v1/admin/logout'), [{ bearerJwt: [] }]);
  t.same(security('/v2/auth/verification'), [{ bearerJwt: [] }]);
  t.same(security('/api/v1/auth/logout/', 'get'), [{}, { bearerJwt: [] }], 'optional');
  t.same(security('/api/v1/check_token/'), [{ drfBearer: [] }, { drfToken: [] }]);
  t.same(security('/api/v1/logout/'), [{}, { drfBearer: [] }, { drfToken: [] }], 'optional');
  t.same(security('/oauth2/introspect'), [{ clientBasic: [] }]);
  t.equal(security('/api/v1/admin/auth'), undefined, 'sign-in takes no token');
  t.match(
    doc.paths['/api/v1/admin/logout']?.post?.responses['401'],
    { content: { 'application/json': { examples: { '401-1': { value: { message: String } } } } } },
    "the gateway's own 401 in the profile's shape",
  );
});

t.test('the document is valid OpenAPI 3.1', async (t) => {
  const doc = await fetchDoc(await gateway(t));
  const validator = new Validator();
  const result = await validator.validate(doc as unknown as Record<string, unknown>);
  t.equal(validator.version, '3.1');
  t.same(result.errors, undefined);
  t.equal(result.valid, true);
});

t.test('GET /docs: one self-contained HTML page listing every operation', async (t) => {
  const app = await gateway(t);
  const res = await app.inject({ method: 'GET', url: '/docs' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
  t.match(res.headers['content-security-policy'], /default-src 'none'/);
  const html = res.body;
  const doc = await fetchDoc(app);
  for (const [path, item] of Object.entries(doc.paths)) {
    t.ok(html.includes(`<code class="path">${path}</code>`), path);
    for (const [method, op] of Object.entries(item)) {
      t.ok(html.includes(`id="${op.operationId}"`), `${method.toUpperCase()} ${path}`);
    }
  }
  t.notMatch(html, /<script/i, 'no script');
  t.notMatch(html, /<link|\ssrc=|@import|url\(/i, 'nothing loaded from elsewhere');
  t.match(html, /<style>/);
  t.match(html, /Неверные учетные данные/, "the documents' examples, as they are");
  t.equal((await app.inject({ method: 'GET', url: '/docs/' })).statusCode, 200, 'with a trailing slash too');
});

t.test('the documentation routes are the only additions: other paths stay 404', async (t) => {
  const app = await gateway(t);
  const res = await app.inject({ method: 'GET', url: '/docs/nope' });
  t.equal(res.statusCode, 404);
  t.same(res.json(), { error: 'not_found', message: 'no route for GET /docs/nope' });
  t.equal((await app.inject({ method: 'POST', url: '/docs' })).statusCode, 404);
});
