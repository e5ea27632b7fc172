import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import { DISCOVERY_PATH, JWKS_PATH, discoveryDocument } from './metadata.js';

export interface WellKnownRoutesDeps {
  /** PUBLIC_BASE_URL: where clients reach the gateway, hence the issuer. */
  issuer: string;
  /** The key ring's public JWKs: active and retiring RS256 keys, never an HMAC key. */
  publicJwks: () => JWK[];
}

/**
 * The discovery document changes only with the configuration: an hour in caches. The JWK Set
 * changes with `authctl keys rotate`: a minute (as often as the key ring re-reads Postgres by
 * default), so a new key reaches verifiers soon after it starts signing.
 */
const DISCOVERY_CACHE = 'public, max-age=3600';
const JWKS_CACHE = 'public, max-age=60';

async function wellKnownRoutes(scope: FastifyInstance, deps: WellKnownRoutesDeps): Promise<void> {
  // Built once: the issuer is read at start.
  const discovery = Object.freeze(discoveryDocument(deps.issuer));
  scope.get(DISCOVERY_PATH, async (_req, reply) =>
    reply.header('cache-control', DISCOVERY_CACHE).send(discovery),
  );
  // RFC 7517 §5: a JWK Set is `{"keys": [...]}`; each key carries `kid`, `alg` and `use: sig`.
  scope.get(JWKS_PATH, async (_req, reply) =>
    reply.header('cache-control', JWKS_CACHE).send({ keys: deps.publicJwks() }),
  );
}

export async function registerWellKnownRoutes(
  app: FastifyInstance,
  deps: WellKnownRoutesDeps,
): Promise<void> {
  await app.register(async (scope) => wellKnownRoutes(scope, deps));
}
