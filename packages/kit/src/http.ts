import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import { CLIENT_ADDRESS_HEADER, secretsEqual, verifyRequest } from './internal-auth.js';
import type { Logger } from './logger.js';
import { httpMetrics, registry } from './metrics.js';
import { withTimeout } from './nats.js';
import { withRequestId } from './request-context.js';

export type ReadinessCheck = () => Promise<void>;

/**
 * Marks a closing notice: a process shutting down answers a request it did not start with 503
 * and this header, having done nothing, so a proxy in front of several replicas (the gateway)
 * may send the request to another one. Any other answer, a 503 included, may follow work done.
 */
export const CLOSING_HEADER = 'x-propusk-closing';

/**
 * What a request arriving during shutdown gets: `notice` (services: the closing notice above,
 * so the gateway takes it elsewhere) or `serve` (the gateway: nothing in front of it reads the
 * notice, so it serves what still reaches it). Either way every answer from then on carries
 * `Connection: close` (RFC 9112 §9.6), so no client reuses a connection about to be closed.
 */
export type ClosingMode = 'notice' | 'serve';

export interface HttpOptions {
  log: Logger;
  readiness: Readonly<Record<string, ReadinessCheck>>;
  /** Largest accepted request body; auth payloads are small. */
  bodyLimit?: number;
  /** True once the process is shutting down (service.ts turns it on at SIGTERM). */
  isClosing?: () => boolean;
  closingMode?: ClosingMode;
  /**
   * Services: every request must carry the gateway's fresh signature under this secret
   * (internal-auth.ts), except the open routes below; the gateway, which signs, passes none.
   */
  internalSecret?: string;
  /** `/metrics` answers only `Authorization: Bearer <token>`; without a token it is not served. */
  metricsToken?: string;
  /**
   * The gateway: addresses and CIDRs of the proxies in front of it (TRUSTED_PROXIES). A request
   * from one of them takes its client address from X-Forwarded-For (Fastify's `trustProxy`,
   * proxy-addr: the right-most address not trusted); from any other peer, the socket's.
   */
  trustProxy?: readonly string[];
}

/**
 * What a service answers without the gateway's signature: the orchestrator's probes (their
 * callers cannot sign, and they tell nothing a caller could use) and /metrics (its bearer token,
 * Prometheus's own credential, guards it).
 */
export const UNSIGNED_ROUTES: readonly string[] = ['/healthz', '/readyz', '/metrics'];

/** The bearer token of an `Authorization` header (RFC 6750 §2.1; the scheme is case-insensitive). */
function bearerOf(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer +([^\s]+) *$/i.exec(header);
  return m?.[1];
}

/**
 * The client address of a request: in the gateway `req.ip` (the socket's, or what trusted
 * proxies forwarded); in a service the one address the gateway signed (else the socket's).
 */
function clientAddressOf(req: FastifyRequest, signed: WeakSet<FastifyRequest> | undefined): string {
  const value = req.headers[CLIENT_ADDRESS_HEADER];
  return signed?.has(req) && typeof value === 'string' ? value : req.ip;
}

/** Incoming request ids are kept only when they look like ids, never arbitrary text. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

/** The path of a request target, without its query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export interface ReadinessReport {
  status: 'ready' | 'unready';
  checks: Record<string, 'ok' | string>;
}

export async function runReadiness(
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs = 1500,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs, name);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, (err as Error).message || 'failed'] as const;
      }
    }),
  );
  const report = Object.fromEntries(entries);
  return { status: entries.every(([, v]) => v === 'ok') ? 'ready' : 'unready', checks: report };
}

/**
 * Refuses with 401, before anything else runs, every request but UNSIGNED_ROUTES without a
 * fresh gateway signature (internal-auth.ts). Answers the set of requests that passed.
 */
function requireGatewaySignature(app: FastifyInstance, secret: string): WeakSet<FastifyRequest> {
  const signed = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', async (req, reply) => {
    if (UNSIGNED_ROUTES.includes(req.routeOptions.url ?? '')) return;
    const check = verifyRequest(secret, { method: req.method, target: req.url, headers: req.headers });
    if (check.ok) {
      signed.add(req);
      return;
    }
    req.log.warn(
      { reason: check.reason, method: req.method, path: pathOf(req.url) },
      'request without a valid gateway signature refused',
    );
    return reply
      .code(401)
      .send({ error: 'unauthorized', message: 'this service answers only requests signed by the gateway' });
  });
  return signed;
}

/**
 * The HTTP bootstrap of every process: request ids (taken from `x-request-id` or made), in
 * services the gateway's signature on every request but UNSIGNED_ROUTES, /healthz (alive),
 * /readyz (dependencies reachable), /metrics (Prometheus, behind its bearer token).
 */
export function createHttpServer({
  log,
  readiness,
  bodyLimit = 16 * 1024,
  isClosing = () => false,
  closingMode = 'notice',
  internalSecret,
  metricsToken,
  trustProxy = [],
}: HttpOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit,
    // DESIGN: "Paths are served with and without a trailing slash."
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    // One request line per response comes from the onResponse hook below (probes excluded).
    logController: new LogController({ requestIdLogLabel: 'reqId', disableRequestLogging: true }),
    // Requests reaching a closing server are answered by the hooks below (closing notice or
    // served), not by Fastify's bare 503, which a proxy could not tell from a service's own.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    trustProxy: trustProxy.length > 0 ? [...trustProxy] : false,
  });

  // Callback style on purpose: `done` runs inside the scope, so every later hook and the handler
  // (and the RPC calls they make) carry this request's id (see request-context.ts).
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    withRequestId(req.id, done);
  });
  // Before every later hook and every handler: nothing of an unsigned request runs.
  const signed = internalSecret === undefined ? undefined : requireGatewaySignature(app, internalSecret);
  app.addHook('onRequest', async (_req, reply) => {
    if (closingMode === 'notice' && isClosing()) {
      return reply.code(503).header(CLOSING_HEADER, '1').send({ status: 'closing' });
    }
  });
  app.addHook('onSend', async (_req, reply) => {
    if (isClosing()) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    httpMetrics.duration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (!route.startsWith('/healthz') && !route.startsWith('/readyz') && !route.startsWith('/metrics')) {
      // The query is never logged: documented APIs carry codes, states and tokens there
      // (document 002: /callback?code&state, /validate/jwt/access?access=<token>).
      req.log.info(
        {
          method: req.method,
          path: pathOf(req.url),
          route,
          status: reply.statusCode,
          client: clientAddressOf(req, signed),
          ms: Math.round(reply.elapsedTime),
        },
        'request',
      );
    }
  });

  app.get('/healthz', async () => ({ status: 'alive' }));
  app.get('/readyz', async (_req, reply) => {
    const report = await runReadiness(readiness);
    return reply.code(report.status === 'ready' ? 200 : 503).send(report);
  });
  if (metricsToken !== undefined) {
    app.get('/metrics', async (req, reply) => {
      const given = bearerOf(req.headers.authorization);
      if (given === undefined || !secretsEqual(given, metricsToken)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="metrics"')
          .send({ error: 'unauthorized', message: 'metrics need the bearer token' });
      }
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  }
  return app;
}
