import { tokenOps } from '@propusk/contracts';
import { checkDatabase, createPrismaClient } from '@propusk/db';
import { loadConfig, runMain, runtimeEventPublisher, startProcess } from '@propusk/kit';
import { createRevokeAccountSessionsFlow } from './account-sessions/flow.js';
import { createRedisAccountSessionStore } from './account-sessions/redis-store.js';
import { sessionRevokers } from './account-sessions/revokers.js';
import { createAccountSessionIndex } from './account-sessions/service.js';
import { adminTelegramKeys } from './admin-telegram/keys.js';
import { createRedisAdminTelegramStore } from './admin-telegram/redis-store.js';
import { createAdminTelegramService } from './admin-telegram/service.js';
import { authorizationKeys } from './authorization/keys.js';
import { createRedisAuthorizationStore } from './authorization/redis-store.js';
import { createAuthorizationService } from './authorization/service.js';
import { createDrfService } from './drf/service.js';
import { createRedisDrfStore } from './drf/redis-store.js';
import { createEnvelopeService } from './envelope/service.js';
import { createIntrospectionService } from './introspection/service.js';
import { createKeyRing } from './keys/ring.js';
import { createKeysService } from './keys/service.js';
import { openSigningKeyStore } from './keys/startup.js';
import { createRedisTokenOwnerStore } from './owners/redis-store.js';
import { registerAdminTelegramRoutes } from './profiles/admin-telegram/routes.js';
import { registerAuthorizationRoutes } from './profiles/authorization/routes.js';
import { registerDrfRoutes } from './profiles/drf/routes.js';
import { registerEnvelopeRoutes } from './profiles/envelope/routes.js';
import { registerOAuthRoutes } from './profiles/oauth/routes.js';
import { registerV2Routes } from './profiles/v2/routes.js';
import { registerWellKnownRoutes } from './profiles/well-known/routes.js';
import { createClientAuthenticator } from './oauth-clients/service.js';
import { createRedisClientThrottleStore } from './oauth-clients/redis-throttle-store.js';
import { createClientAuthGuard } from './oauth-clients/throttle.js';
import { createTokenObserver } from './events/observer.js';
import { createJetStreamRevocationEvents } from './revocation/nats-events.js';
import { createRedisRevocationStore } from './revocation/redis-store.js';
import { createRevocationService } from './revocation/service.js';
import { clientAuthLimits, TOKEN_SETTINGS } from './settings.js';
import { createV2Service } from './v2/service.js';

/** The token service process: wiring only (transport → domain → store); capabilities live in their own folders. */
runMain(() =>
  startProcess({
    name: 'token',
    port: (config) => config.TOKEN_PORT,
    useRedis: true,
    async setup(rt) {
      const settings = loadConfig(TOKEN_SETTINGS);
      const clientLimits = clientAuthLimits(settings);
      const prisma = createPrismaClient(rt.config.DATABASE_URL);
      rt.readiness.postgres = () => checkDatabase(prisma);
      rt.onClose(() => prisma.$disconnect());
      const redis = rt.redis;
      if (!redis) throw new Error('the token service needs Redis');

      // Stores (the ring holds RS256 and HS256 keys, creating each on first start)
      // Private keys are sealed in Postgres (KEYS_ENCRYPTION_KEY); rows still in clear are sealed here.
      const keyStore = await openSigningKeyStore({
        prisma,
        config: { KEYS_ENCRYPTION_KEY: settings.KEYS_ENCRYPTION_KEY, NODE_ENV: rt.config.NODE_ENV },
        log: rt.log,
      });
      const keyRing = await createKeyRing({
        keys: createKeysService({ store: keyStore }),
        log: rt.log,
        refreshMs: settings.SIGNING_KEYS_REFRESH_S * 1000,
      });
      keyRing.start();
      rt.onClose(() => keyRing.stop());

      // Domain events on JetStream and their counters (docs/events.md, docs/metrics.md)
      const publisher = runtimeEventPublisher(rt);
      const events = createTokenObserver(publisher);

      // Domain
      const revocation = createRevocationService({
        store: createRedisRevocationStore(redis),
        events: createJetStreamRevocationEvents(publisher),
        log: rt.log,
      });
      // Every issuer records its sessions here, for revokeAccountSessions.
      const sessions = createAccountSessionIndex({ store: createRedisAccountSessionStore(redis), events });
      const drf = createDrfService({
        store: createRedisDrfStore(redis),
        sessions,
        ttlS: settings.DRF_TOKEN_TTL_S,
      });
      // Whom envelope and v2 tokens belong to: their documented claims name only half of it.
      const owners = createRedisTokenOwnerStore(redis);
      const envelope = createEnvelopeService({
        keys: keyRing,
        issuer: settings.ENVELOPE_ISSUER,
        sessions,
        owners,
      });
      const adminTelegram = createAdminTelegramService({
        keys: adminTelegramKeys(keyRing),
        store: createRedisAdminTelegramStore(redis),
        revocation,
        sessions,
        accessTtlS: settings.ADMIN_ACCESS_TTL_S,
        refreshTtlS: settings.ADMIN_REFRESH_TTL_S,
        reuseGraceMs: settings.REFRESH_REUSE_GRACE_MS,
        log: rt.log,
        events,
      });
      const v2 = createV2Service({
        keys: keyRing,
        issuer: settings.V2_ISSUER ?? rt.config.PUBLIC_BASE_URL,
        ttlS: settings.V2_TOKEN_TTL_S,
        sessions,
        owners,
        revocation,
      });
      const authorization = createAuthorizationService({
        keys: authorizationKeys(keyRing),
        store: createRedisAuthorizationStore(redis),
        revocation,
        sessions,
        accessTtlS: settings.AUTHZ_ACCESS_TTL_S,
        refreshTtlS: settings.AUTHZ_REFRESH_TTL_S,
        log: rt.log,
      });
      const introspection = createIntrospectionService({
        drf,
        envelope,
        adminTelegram,
        v2,
        authorization,
        revocation,
        owners,
        drfIssuer: rt.config.PUBLIC_BASE_URL,
        log: rt.log,
      });
      const accountSessions = createRevokeAccountSessionsFlow({
        index: sessions,
        revokers: sessionRevokers({ drf, adminTelegram, authorization, revocation }),
      });

      // Transport: NATS request/reply
      rt.rpc.handle(tokenOps.issueDrf, async (req) => ({ token: (await drf.issue(req)).token }));
      rt.rpc.handle(tokenOps.issueEnvelope, async (req) => {
        const { token, claims } = await envelope.issue(req);
        return { token, expiresAt: claims.exp };
      });
      rt.rpc.handle(tokenOps.issueAdminTelegram, (req) => adminTelegram.issue(req));
      rt.rpc.handle(tokenOps.refreshAdminTelegram, (req) => adminTelegram.refresh(req.refresh_token));
      rt.rpc.handle(tokenOps.issueV2, async (req) => {
        const { token, claims } = await v2.issue(req);
        return { token, expiresAt: claims.exp };
      });
      rt.rpc.handle(tokenOps.issueAuthorization, (req) => authorization.issue(req));
      rt.rpc.handle(tokenOps.revokeAccountSessions, async (req) => ({
        revoked: await accountSessions.revokeAll(req.accountId, req.keepTokenId),
      }));
      rt.rpc.handle(tokenOps.introspect, (req) => introspection.introspect(req.token));
      rt.rpc.handle(tokenOps.revoke, (req) => introspection.revoke(req.token));
      rt.rpc.handle(tokenOps.jwks, async () => ({ keys: keyRing.publicJwks().map((k) => ({ ...k })) }));

      // Transport: HTTP routes of the profiles
      await registerDrfRoutes(rt.http, { introspection });
      await registerAdminTelegramRoutes(rt.http, { adminTelegram });
      await registerV2Routes(rt.http, { v2 });
      await registerAuthorizationRoutes(rt.http, { authorization });
      await registerEnvelopeRoutes(rt.http, {
        introspection,
        redirects: {
          loggedOut: settings.ENVELOPE_LOGOUT_REDIRECT,
          failed: settings.ENVELOPE_LOGOUT_FAILED_REDIRECT,
        },
      });

      // Transport: the standard endpoints (DESIGN: "Beyond the documents")
      const clients = createClientAuthenticator(settings.INTROSPECTION_CLIENTS);
      if (clients.size === 0)
        rt.log.info(
          'INTROSPECTION_CLIENTS is empty: /oauth2/introspect and /oauth2/revoke refuse every caller',
        );
      // Failed client authentications are throttled (oauth-clients/throttle.ts, docs/SECURITY.md).
      const clientAuth = createClientAuthGuard({
        clients,
        store: createRedisClientThrottleStore(redis),
        limits: clientLimits,
      });
      await registerOAuthRoutes(rt.http, { introspection, clients: clientAuth });
      await registerWellKnownRoutes(rt.http, {
        issuer: rt.config.PUBLIC_BASE_URL,
        publicJwks: () => keyRing.publicJwks(),
      });
    },
  }),
);
