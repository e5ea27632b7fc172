import gatewayPackage from '../../package.json' with { type: 'json' };
import {
  adminTelegramHttp,
  authorizationHttp,
  drfHttp,
  envelopeHttp,
  standardHttp,
  v2Http,
  type TSchema,
} from '@propusk/contracts';
import { limitClassOf } from '../rate-limit/policy.js';
import { failureAnswer, type AnswerShape, type GatewayFailure } from '../profiles/answers.js';
import { PROXY_BODY_LIMIT } from '../proxy.js';
import type { RouteEntry } from '../routes/table.js';
import { createSchemaCatalogue, type Json, type SchemaCatalogue } from './json-schema.js';
import { OPERATIONS, operationKey, type DocResponse, type MediaType, type Operation } from './operations.js';

/**
 * The OpenAPI 3.1 document of the gateway's URL space (https://spec.openapis.org/oas/v3.1.0):
 * every route and method of the route table, with the contracts schemas the services check
 * requests with as `components.schemas`. Built once, at start; a route the operations map
 * (operations.ts) does not describe stops the build, so the document never leaves one out.
 */
export type OpenApiDocument = { [key: string]: Json };

export interface OpenApiOptions {
  /** PUBLIC_BASE_URL: the one server. */
  publicBaseUrl: string;
  /** The gateway package's version. */
  version?: string;
  routes: readonly RouteEntry[];
  operations?: Readonly<Record<string, Operation>>;
}

/**
 * The gateway package's version, for `info.version`. Imported rather than read from a path
 * relative to this file: the compiled gateway is one bundle in gateway/dist (scripts/lib/build.mjs).
 */
export function packageVersion(): string {
  const version: unknown = gatewayPackage.version;
  return typeof version === 'string' ? version : '0.0.0';
}

/** RFC 3986 §2.1: non-ASCII characters of a path as UTF-8 `%XX` (document 003's Cyrillic `сode`). */
export function documentedPath(path: string): string {
  return path.replace(/[^\x21-\x7e]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

const MEDIA: Readonly<Record<MediaType, string>> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
};

/** Tags: one per documented API (shared/seeds 000–004) and one for the standard endpoints. */
const TAGS: ReadonlyArray<{ name: string; description: string }> = [
  {
    name: 'admin-telegram',
    description: 'Document 000: admin panel registration through a Telegram bot, login, refresh, logout',
  },
  {
    name: 'envelope',
    description: 'Document 001: admin and user login with a `{data, errors}` envelope, logout with redirect',
  },
  {
    name: 'authorization',
    description:
      'Document 002: registration and login by e-mail or phone, VK ID / Mail.ru / Yandex, JWT validation',
  },
  {
    name: 'v2',
    description:
      'Document 003: registration, verification codes, login by password or SMS code, recovery, signout',
  },
  {
    name: 'drf',
    description: 'Document 004: Django-REST-style opaque token login with roles, logout, token check',
  },
  {
    name: 'standard',
    description:
      'Beyond the documents: OpenID Connect Discovery, JWKS, RFC 7662 introspection, RFC 7009 revocation',
  },
];

const SECURITY_SCHEMES: Readonly<Record<string, Json>> = {
  bearerJwt: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Documents 000 (HS256), 001 and 003 (RS256): `Authorization: Bearer <access token>`',
  },
  drfBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'Document 004: `Authorization: Bearer <40-hex token>`',
  },
  drfToken: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: "Document 004, Django REST framework's spelling: `Authorization: Token <40-hex token>`",
  },
  clientBasic: {
    type: 'http',
    scheme: 'basic',
    description:
      'Internal callers of introspection and revocation: INTROSPECTION_CLIENTS `id:secret` (RFC 7662 §2.1, RFC 7009 §2.1)',
  },
};

/** Who may call the operation: the route's token policy, or the standard endpoints' clients. */
function securityOf(route: RouteEntry, op: Operation): Json[] | undefined {
  if (op.clientAuth) return [{ clientBasic: [] }];
  if (route.auth === 'none') return undefined;
  const schemes: Json[] =
    route.profile === 'drf' ? [{ drfBearer: [] }, { drfToken: [] }] : [{ bearerJwt: [] }];
  // OpenAPI 3.1 §4.8.10: an empty requirement makes the others optional.
  return route.auth === 'optional' ? [{}, ...schemes] : schemes;
}

/** The gateway's own answers on a route (profiles/answers.ts), in the route's shape. */
function gatewayResponses(route: RouteEntry, method: 'GET' | 'POST'): DocResponse[] {
  const answer = (status: number, description: string, failure: GatewayFailure): DocResponse => {
    const a = failureAnswer(route.profile, failure, { code: route.errorCode });
    return { status, description: `the gateway: ${description}`, example: a.body };
  };
  const out: DocResponse[] = [];
  if (route.auth === 'required') {
    out.push(answer(401, 'no access token', 'missing_credentials'));
    out.push(answer(401, 'an invalid, expired or revoked access token', 'invalid_token'));
  }
  if (method === 'POST')
    out.push(answer(413, `the body is larger than ${PROXY_BODY_LIMIT / 1024} KiB`, 'payload_too_large'));
  // Routed requests spend the client address's budget (rate-limit/policy.ts).
  const budget = limitClassOf(route);
  if (budget !== undefined) {
    out.push({
      ...answer(429, `too many requests from one address (${budget} budget)`, 'too_many_requests'),
      headers: { 'Retry-After': 'seconds until the budget allows another request (RFC 9110 §10.2.3)' },
    });
  }
  out.push(answer(503, 'the service (or the token check) is unavailable', 'unavailable'));
  out.push(answer(504, 'the service did not answer in time', 'timeout'));
  return out;
}

/** One Response Object per status: its answers' descriptions, schemas and examples together. */
function responsesOf(list: readonly DocResponse[], cat: SchemaCatalogue) {
  const byStatus = new Map<number, DocResponse[]>();
  for (const r of list) byStatus.set(r.status, [...(byStatus.get(r.status) ?? []), r]);
  const out: Record<string, Json> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const answers = byStatus.get(status) ?? [];
    const schemas = [...new Set(answers.map((r) => r.schema))].filter((s): s is TSchema => s !== undefined);
    const examples = answers.filter((r) => r.example !== undefined);
    const headers = Object.assign({}, ...answers.map((r) => r.headers ?? {})) as Record<string, string>;
    const response: Record<string, Json> = {
      description: [...new Set(answers.map((r) => r.description))].join('; '),
    };
    if (Object.keys(headers).length > 0) {
      response.headers = Object.fromEntries(
        Object.entries(headers).map(([name, description]) => [
          name,
          { description, schema: { type: 'string' } },
        ]),
      );
    }
    if (schemas.length > 0 || examples.length > 0) {
      const media: Record<string, Json> = {};
      if (schemas.length === 1) media.schema = cat.refOrInline(schemas[0] as TSchema);
      else if (schemas.length > 1) media.schema = { anyOf: schemas.map((s) => cat.refOrInline(s)) };
      if (examples.length > 0) {
        media.examples = Object.fromEntries(
          examples.map((r, i) => [
            `${status}-${i + 1}`,
            { summary: r.description, value: r.example as Json },
          ]),
        );
      }
      response.content = { 'application/json': media };
    }
    out[String(status)] = response;
  }
  return out;
}

/** The shape of the gateway's own failures on a route: the profile's failure shape. */
const FAILURE_SCHEMAS: Readonly<Record<AnswerShape, TSchema>> = {
  'admin-telegram': adminTelegramHttp.Message,
  envelope: envelopeHttp.Failure,
  authorization: authorizationHttp.Detail,
  v2: v2Http.Failure,
  drf: drfHttp.Answer,
  standard: standardHttp.OAuthError,
};

function operationId(method: string, path: string): string {
  return `${method.toLowerCase()}_${path.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`;
}

function operationObject(
  route: RouteEntry,
  method: 'GET' | 'POST',
  path: string,
  op: Operation,
  cat: SchemaCatalogue,
) {
  const out: Record<string, Json> = {
    operationId: operationId(method, path),
    summary: op.summary,
    tags: [route.profile],
  };
  if (op.description) out.description = op.description;
  const security = securityOf(route, op);
  if (security) out.security = security;
  if (op.query) {
    const required = new Set<string>((op.query.required as string[] | undefined) ?? []);
    out.parameters = Object.entries(op.query.properties).map(([name, schema]) => {
      const parameter: Record<string, Json> = {
        name,
        in: 'query',
        required: required.has(name),
        schema: cat.refOrInline(schema),
      };
      if (typeof schema.description === 'string') parameter.description = schema.description;
      return parameter;
    });
  }
  if (op.body) {
    const examples = op.body.examples
      ? Object.fromEntries(
          Object.entries(op.body.examples).map(([name, value]) => [name, { value: value as Json }]),
        )
      : undefined;
    out.requestBody = {
      required: true,
      content: Object.fromEntries(
        op.body.media.map((m) => [
          MEDIA[m],
          { schema: cat.refOrInline(op.body!.schema), ...(examples ? { examples } : {}) },
        ]),
      ),
    };
  }
  const gateway = gatewayResponses(route, method).map((r) => ({
    ...r,
    schema: FAILURE_SCHEMAS[route.profile],
  }));
  out.responses = responsesOf([...op.responses, ...gateway], cat);
  return out;
}

/** Builds the document; throws when a route or method of the table has no operation. */
export function buildOpenApi(options: OpenApiOptions): OpenApiDocument {
  const operations = options.operations ?? OPERATIONS;
  const cat = createSchemaCatalogue();
  const paths: Record<string, Record<string, Json>> = {};
  const missing: string[] = [];
  for (const route of options.routes) {
    const path = documentedPath(route.path);
    for (const method of route.methods) {
      const op = operations[operationKey(method, route.path)];
      if (!op) {
        missing.push(`${method} ${path}`);
        continue;
      }
      (paths[path] ??= {})[method.toLowerCase()] = operationObject(route, method, path, op, cat);
    }
  }
  if (missing.length > 0)
    throw new Error(
      `routes without an OpenAPI operation (gateway/src/docs/operations.ts): ${missing.join(', ')}`,
    );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Propusk',
      version: options.version ?? packageVersion(),
      description:
        'One identity core behind five existing auth APIs (documents 000–004), each served exactly as its ' +
        'document describes it, and the standard endpoints new clients expect. Every path is served with ' +
        'and without a trailing slash; unknown paths answer 404 JSON in the shape of the API whose URL space they are in.',
    },
    servers: [{ url: options.publicBaseUrl }],
    tags: TAGS.map((t) => ({ ...t })),
    paths,
    components: { schemas: cat.components(), securitySchemes: { ...SECURITY_SCHEMES } },
  };
}
