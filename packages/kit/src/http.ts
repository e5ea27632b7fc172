import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
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
 * The HTTP bootstrap of every process: request ids (taken from `x-request-id` or made),
 * /healthz (alive), /readyz (dependencies reachable), /metrics (Prometheus).
 */
export function createHttpServer({
  log,
  readiness,
  bodyLimit = 16 * 1024,
  isClosing = () => false,
  closingMode = 'notice',
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
  });

  // Callback style on purpose: `done` runs inside the scope, so every later hook and the handler
  // (and the RPC calls they make) carry this request's id (see request-context.ts).
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    withRequestId(req.id, done);
  });
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
  app.get('/metrics', async (_req, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return app;
}
