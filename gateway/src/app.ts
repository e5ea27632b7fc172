import { SERVICE_NAMES, tokenOps, type ServiceName } from '@propusk/contracts';
import { withTimeout, type Runtime } from '@propusk/kit';
import { UPSTREAM_VARS, type GatewayConfig } from './settings.js';
import { addServiceChecks } from './readiness.js';
import { registerProxies } from './proxy.js';
import { ROUTES } from './routes/table.js';
import { createAuthenticator, type Authenticator } from './auth/authenticator.js';
import { createVerifiedCache } from './auth/cache.js';
import { subscribeRevocations, watchReconnects } from './auth/events.js';
import type { VerifiedToken } from './auth/identity.js';
import { createKeySet } from './auth/jwks.js';
import { createRevocationList } from './auth/revocation.js';
import { adminTelegramStrategy, drfStrategy, envelopeStrategy, v2Strategy } from './auth/strategies.js';
import { registerNotFound } from './not-found.js';
import { registerForwardedHeader } from './forwarded.js';
import { corsOrigins, registerCors } from './cors.js';
import { registerDocs } from './docs/routes.js';
import { createRateLimiter } from './rate-limit/limiter.js';
import { registerRateLimit } from './rate-limit/hook.js';

/** Bound of the verified-token cache (entries are small: ids, names, roles). */
const VERIFIED_CACHE_MAX = 50_000;
/** Default reuse of a verification; strategies set their own (strategies.ts). */
const VERIFIED_CACHE_TTL_MS = 30_000;
/** A revocation check waits no longer than this for Redis before failing closed. */
const REDIS_CHECK_TIMEOUT_MS = 1000;

/** The `iss` each locally verified profile's JWTs carry (the token service's own settings). */
interface Issuers {
  envelope: string;
  v2: string;
}

/**
 * Token validation: envelope and v2 JWTs verified locally with the token service's JWKS; drf
 * opaque tokens and admin-telegram HS256 JWTs (secret held by the token service) introspected
 * over NATS; all checked against revocation (events + Redis). Document 002's routes take no
 * access token at the gateway (its tokens travel in queries, checked by the token service).
 */
function createAuth(rt: Runtime, issuers: Issuers): Authenticator {
  const redis = rt.redis;
  if (!redis) throw new Error('the gateway needs Redis: revocation records live there');
  const keys = createKeySet({ source: () => rt.client.call(tokenOps.jwks, {}), log: rt.log });
  keys.start();
  rt.onClose(() => keys.stop());
  // Warm the key set; if the token service is not up yet, the first envelope or v2 token loads it.
  keys.refresh().catch((err: Error) => rt.log.debug({ err: err.message }, 'jwks not loaded yet'));

  const introspect = (token: string) => rt.client.call(tokenOps.introspect, { token });
  const auth = createAuthenticator({
    strategies: {
      drf: drfStrategy(introspect),
      envelope: envelopeStrategy(keys, issuers.envelope),
      'admin-telegram': adminTelegramStrategy(introspect),
      v2: v2Strategy(keys, issuers.v2),
    },
    revocations: createRevocationList({
      exists: async (key) =>
        (await withTimeout(redis.exists(key), REDIS_CHECK_TIMEOUT_MS, 'redis exists')) === 1,
    }),
    cache: createVerifiedCache<VerifiedToken>({ max: VERIFIED_CACHE_MAX }),
    cacheTtlMs: VERIFIED_CACHE_TTL_MS,
  });
  const unsubscribe = subscribeRevocations(rt.nats.nc, rt.ns, (event) => auth.revoked(event), rt.log);
  rt.onClose(unsubscribe);
  watchReconnects(rt.nats.nc, () => {
    rt.log.info('nats reconnected: dropping cached token verifications (events may have been missed)');
    auth.reset();
  });
  return auth;
}

/** Wires the gateway onto a started runtime: readiness, CORS, token checks, proxies, 404s and 405s. */
export async function setupGateway(rt: Runtime, config: GatewayConfig): Promise<void> {
  const upstreams = Object.fromEntries(SERVICE_NAMES.map((s) => [s, config[UPSTREAM_VARS[s]]])) as Record<
    ServiceName,
    readonly string[]
  >;
  const origins = corsOrigins(config.CORS_ORIGINS);
  // Before every hook that reads req.ip (the limits, the logs, the signed client address).
  registerForwardedHeader(rt.http, config.FORWARDED_HEADER);
  addServiceChecks(rt);
  const auth = createAuth(rt, {
    envelope: config.ENVELOPE_ISSUER,
    v2: config.V2_ISSUER ?? rt.config.PUBLIC_BASE_URL,
  });
  // First of the root-level onRequest hooks: preflights are answered before any limit or token check.
  await registerCors(rt.http, { origins, routes: ROUTES });
  // Root-level onRequest: runs before each route's token check, for every routed request.
  registerRateLimit(rt.http, {
    limiter: createRateLimiter(rt.redis!, {
      perIp: config.RATE_LIMIT_PER_IP,
      credentialsPerIp: config.RATE_LIMIT_CREDENTIALS_PER_IP,
      windowS: config.RATE_LIMIT_WINDOW_S,
    }),
    routes: ROUTES,
    log: rt.log,
  });
  if (config.TRUSTED_PROXIES) {
    rt.log.info(
      { trustedProxies: config.TRUSTED_PROXIES, header: config.FORWARDED_HEADER },
      'client addresses from the forwarding header of trusted proxies',
    );
  }
  // Every forwarded request is signed: the services refuse any other (kit's internal-auth.ts).
  await registerProxies(rt.http, ROUTES, { upstreams, auth, internalSecret: rt.internalSecret });
  // Gateway-local, never proxied: the OpenAPI document of ROUTES and its page, built once here.
  registerDocs(rt.http, { publicBaseUrl: rt.config.PUBLIC_BASE_URL, routes: ROUTES });
  registerNotFound(rt.http, ROUTES);
}
