import { tokenOps } from '@propusk/contracts';
import { checkDatabase, createPrismaClient } from '@propusk/db';
import { loadConfig, runMain, startProcess } from '@propusk/kit';
import { adminTelegramKeys } from './admin-telegram/keys.js';
import { createRedisAdminTelegramStore } from './admin-telegram/redis-store.js';
import { createAdminTelegramService } from './admin-telegram/service.js';
import { createDrfService } from './drf/service.js';
import { createRedisDrfStore } from './drf/redis-store.js';
import { createEnvelopeService } from './envelope/service.js';
import { createIntrospectionService } from './introspection/service.js';
import { createPrismaKeyStore } from './keys/prisma-store.js';
import { createKeyRing } from './keys/ring.js';
import { createKeysService } from './keys/service.js';
import { registerAdminTelegramRoutes } from './profiles/admin-telegram/routes.js';
import { registerDrfRoutes } from './profiles/drf/routes.js';
import { registerEnvelopeRoutes } from './profiles/envelope/routes.js';
import { createNatsRevocationEvents } from './revocation/nats-events.js';
import { createRedisRevocationStore } from './revocation/redis-store.js';
import { createRevocationService } from './revocation/service.js';
import { TOKEN_SETTINGS } from './settings.js';

/** The token service process: wiring only (transport → domain → store); capabilities live in their own folders. */
runMain(() =>
  startProcess({
    name: 'token',
    port: (config) => config.TOKEN_PORT,
    useRedis: true,
    async setup(rt) {
      const settings = loadConfig(TOKEN_SETTINGS);
      const prisma = createPrismaClient(rt.config.DATABASE_URL);
      rt.readiness.postgres = () => checkDatabase(prisma);
      rt.onClose(() => prisma.$disconnect());
      const redis = rt.redis;
      if (!redis) throw new Error('the token service needs Redis');

      // Stores (the ring holds RS256 and HS256 keys, creating each on first start)
      const keyRing = await createKeyRing({
        keys: createKeysService({ store: createPrismaKeyStore(prisma) }),
        log: rt.log,
        refreshMs: settings.SIGNING_KEYS_REFRESH_S * 1000,
      });
      keyRing.start();
      rt.onClose(() => keyRing.stop());

      // Domain
      const revocation = createRevocationService({
        store: createRedisRevocationStore(redis),
        events: createNatsRevocationEvents(rt.nats.nc, rt.ns),
        log: rt.log,
      });
      const drf = createDrfService({ store: createRedisDrfStore(redis), ttlS: settings.DRF_TOKEN_TTL_S });
      const envelope = createEnvelopeService({ keys: keyRing, issuer: settings.ENVELOPE_ISSUER });
      const adminTelegram = createAdminTelegramService({
        keys: adminTelegramKeys(keyRing),
        store: createRedisAdminTelegramStore(redis),
        revocation,
        accessTtlS: settings.ADMIN_ACCESS_TTL_S,
        refreshTtlS: settings.ADMIN_REFRESH_TTL_S,
        log: rt.log,
      });
      const introspection = createIntrospectionService({
        drf,
        envelope,
        adminTelegram,
        revocation,
        drfIssuer: rt.config.PUBLIC_BASE_URL,
        log: rt.log,
      });

      // Transport: NATS request/reply
      rt.rpc.handle(tokenOps.issueDrf, async (req) => ({ token: (await drf.issue(req)).token }));
      rt.rpc.handle(tokenOps.issueEnvelope, async (req) => {
        const { token, claims } = await envelope.issue(req);
        return { token, expiresAt: claims.exp };
      });
      rt.rpc.handle(tokenOps.issueAdminTelegram, (req) => adminTelegram.issue(req));
      rt.rpc.handle(tokenOps.refreshAdminTelegram, (req) => adminTelegram.refresh(req.refresh_token));
      rt.rpc.handle(tokenOps.introspect, (req) => introspection.introspect(req.token));
      rt.rpc.handle(tokenOps.revoke, (req) => introspection.revoke(req.token));
      rt.rpc.handle(tokenOps.jwks, async () => ({ keys: keyRing.publicJwks().map((k) => ({ ...k })) }));

      // Transport: HTTP routes of the profiles
      await registerDrfRoutes(rt.http, { introspection });
      await registerAdminTelegramRoutes(rt.http, { adminTelegram });
      await registerEnvelopeRoutes(rt.http, {
        introspection,
        redirects: {
          loggedOut: settings.ENVELOPE_LOGOUT_REDIRECT,
          failed: settings.ENVELOPE_LOGOUT_FAILED_REDIRECT,
        },
      });
    },
  }),
);
