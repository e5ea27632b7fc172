import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { counter, type Logger } from '@propusk/kit';
import { failureAnswer, type GatewayFailure } from '../profiles/answers.js';
import type { RouteEntry } from '../routes/table.js';
import type { RateLimiter } from './limiter.js';
import { limitClassOf, type LimitClass } from './policy.js';

/** Refused requests by budget and reason (limited: 429, unavailable: 503), on /metrics. */
export const rateLimited = counter(
  'propusk_gateway_rate_limited_total',
  'Requests the gateway refused for its per-IP request budgets, by budget and reason',
  ['budget', 'reason'],
);

export interface RateLimitDeps {
  limiter: RateLimiter;
  routes: readonly RouteEntry[];
  log: Logger;
}

function send(
  reply: FastifyReply,
  route: RouteEntry,
  failure: GatewayFailure,
  retryAfterS?: number,
): FastifyReply {
  const answer = failureAnswer(route.profile, failure, { code: route.errorCode, retryAfterS });
  return reply
    .code(answer.status)
    .headers(answer.headers)
    .type('application/json; charset=utf-8')
    .send(answer.body);
}

/**
 * Per-IP request budgets, checked in `onRequest` on the root instance: before the route's token
 * check and before any body is read, so a refused request costs one Redis script and nothing
 * else. Only routes of the table are counted (probes, /metrics and 404s reach no service), and
 * of those not the internal callers' introspection and revocation (policy.ts).
 * `req.ip` is the client address: the socket's, or behind TRUSTED_PROXIES the right-most
 * X-Forwarded-For hop they did not add (Fastify's `trustProxy`); a peer not trusted changes
 * nothing by sending forwarding headers. The services' own per-IP counters (logins, codes) get
 * the same address from the gateway, signed (proxy.ts).
 *
 * Redis down: credential routes fail closed with 503 (DESIGN, "Security baseline": throttling
 * "fails closed when Redis is down"): a login or code guess must never become unlimited. Other
 * routes go on: each either needs a token, whose check fails closed by itself when it needs
 * Redis, or is cheap and bounded by the owning service.
 */
export function registerRateLimit(app: FastifyInstance, { limiter, routes, log }: RateLimitDeps): void {
  const byPath = new Map<string, { route: RouteEntry; limitClass: LimitClass }>();
  for (const route of routes) {
    const limitClass = limitClassOf(route);
    if (limitClass === undefined) continue;
    for (const method of route.methods) byPath.set(`${method} ${route.path}`, { route, limitClass });
  }
  let lastWarning = 0;

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const entry = byPath.get(`${req.method} ${req.routeOptions.url ?? ''}`);
    if (!entry) return;
    const { route, limitClass } = entry;
    const verdict = await limiter.take(req.ip, limitClass);
    if (verdict.allowed === true) return;
    if (verdict.allowed === false) {
      rateLimited.inc({ budget: limitClass, reason: 'limited' });
      req.log.info({ budget: limitClass }, 'rate limited');
      return send(reply, route, 'too_many_requests', verdict.retryAfterS);
    }
    // One warning per 5 s while Redis is away, not one per request.
    if (Date.now() - lastWarning > 5000) {
      log.warn({ err: verdict.error.message }, 'rate limit: redis unavailable');
      lastWarning = Date.now();
    }
    if (limitClass === 'general') return;
    rateLimited.inc({ budget: limitClass, reason: 'unavailable' });
    return send(reply, route, 'unavailable');
  });
}
