import { identityOps, tokenOps, verificationOps } from '@propusk/contracts';
import { createPrismaClient, checkDatabase } from '@propusk/db';
import {
  describeConfig,
  loadConfig,
  runMain,
  runtimeEventPublisher,
  startProcess,
  type ConfigOf,
  type Runtime,
  type Started,
  isEntryPoint,
} from '@propusk/kit';
import { startUsernameBackfill } from './accounts/backfill.js';
import { createAccountsService } from './accounts/service.js';
import { createAdminAuthFlow } from './admin-auth/flow.js';
import { createAdminRegistrationFlow } from './admin-registration/flow.js';
import { createPrismaRegistrationStore } from './admin-registration/prisma-store.js';
import {
  createRedisCooldownStore,
  createRedisPendingStore,
  createRedisRequestCounterStore,
} from './admin-registration/redis-store.js';
import { createPendingRegistrations } from './admin-registration/service.js';
import { createPrismaAccountStore } from './accounts/prisma-store.js';
import { createPasswordHasher } from './credentials/hasher.js';
import { createIdentityObserver } from './events/observer.js';
import { createLoginFlow } from './login/flow.js';
import { registerAdminTelegramRoutes } from './profiles/admin-telegram/routes.js';
import { setupAuthorization } from './profiles/authorization/wiring.js'; // document 002
import { registerDrfRoutes } from './profiles/drf/routes.js';
import { registerEnvelopeRoutes } from './profiles/envelope/routes.js';
import { registerV2Routes } from './profiles/v2/routes.js'; // document 003
import { wireV2Flow } from './v2/wiring.js'; // document 003
import { IDENTITY_SETTINGS } from './settings.js';
import { createPrismaStaffStore } from './staff/prisma-store.js';
import { createStaffService } from './staff/service.js';
import { createPrismaTelegramChatStore } from './telegram-chats/prisma-store.js';
import { createTelegramChatsService } from './telegram-chats/service.js';
import { createLoginThrottle } from './throttle/service.js';
import { createRedisThrottleStore } from './throttle/redis-store.js';

export type IdentitySettings = ConfigOf<typeof IDENTITY_SETTINGS>;

/** The identity service process: wiring only (transport → domain → store); capabilities live in their own folders. */
export async function setupIdentity(rt: Runtime, settings: IdentitySettings): Promise<void> {
  const redis = rt.redis;
  if (!redis) throw new Error('identity needs Redis (useRedis)');
  rt.log.info({ settings: describeConfig(IDENTITY_SETTINGS, settings) }, 'identity settings');

  const prisma = createPrismaClient(rt.config.DATABASE_URL);
  // Accounts stored before the username keys existed get them (accounts/backfill.ts); until
  // then Postgres counts as not ready, so no registration comes before it.
  const usernameKeys = startUsernameBackfill({ prisma, log: rt.log });
  rt.readiness.postgres = async () => {
    await checkDatabase(prisma);
    await usernameKeys.check();
  };
  rt.onClose(async () => {
    await usernameKeys.stop();
    await prisma.$disconnect();
  });

  // Domain events on JetStream and their counters (docs/events.md, docs/metrics.md).
  const events = createIdentityObserver(runtimeEventPublisher(rt));
  const hasher = await createPasswordHasher();
  const accountStore = createPrismaAccountStore(prisma);
  const accounts = createAccountsService({ store: accountStore, hasher });
  const throttle = createLoginThrottle({
    store: createRedisThrottleStore(redis),
    limits: {
      perAccount: settings.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      perIp: settings.LOGIN_MAX_FAILURES_PER_IP,
      windowS: settings.LOGIN_FAILURE_WINDOW_S,
      delayAfter: settings.LOGIN_FAILURES_BEFORE_DELAY,
      maxDelayS: settings.LOGIN_MAX_DELAY_S,
    },
  });
  const login = createLoginFlow({ accounts: accountStore, hasher, throttle, events });

  const staffStore = createPrismaStaffStore(prisma);
  const staff = createStaffService({ store: staffStore });
  const chats = createTelegramChatsService({
    staff: staffStore,
    store: createPrismaTelegramChatStore(prisma),
  });

  rt.rpc.handle(identityOps.verifyPassword, async (req) => ({ account: await login.verifyPassword(req) }));
  rt.rpc.handle(identityOps.getAccount, async ({ id }) => ({ account: await accounts.get(id) }));
  rt.rpc.handle(identityOps.recordTelegramChat, (req) => chats.record(req));

  await registerDrfRoutes(rt.http, { login, client: rt.client });
  await registerEnvelopeRoutes(rt.http, { login, client: rt.client });
  await registerAdminTelegramRoutes(rt.http, {
    registration: createAdminRegistrationFlow({
      staff,
      chats,
      accounts: createPrismaRegistrationStore(prisma),
      hasher,
      events,
      pending: createPendingRegistrations({
        pending: createRedisPendingStore(redis),
        cooldowns: createRedisCooldownStore(redis),
        requests: createRedisRequestCounterStore(redis),
      }),
      codes: {
        issue: (req, requestId) => rt.client.call(verificationOps.issue, req, { requestId }),
        check: (req, requestId) => rt.client.call(verificationOps.check, req, { requestId }),
      },
    }),
    auth: createAdminAuthFlow({
      login,
      chats,
      tokens: {
        issue: (subject, requestId) => rt.client.call(tokenOps.issueAdminTelegram, subject, { requestId }),
        refresh: (refresh_token, requestId) =>
          rt.client.call(tokenOps.refreshAdminTelegram, { refresh_token }, { requestId }),
      },
    }),
  });

  // authorization (document 002): e-mail/phone registration and login; federated sign-in (RPC).
  await setupAuthorization(rt, { prisma, hasher, login, events });

  // v2 (document 003): registration, codes, password and code sign-in, password recovery.
  await registerV2Routes(rt.http, {
    v2: wireV2Flow({ prisma, redis, client: rt.client, hasher, login, events }),
  });
}

/** Starts the identity process; the settings are checked before anything connects. */
export function startIdentity(env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const settings = loadConfig(IDENTITY_SETTINGS, env);
  return startProcess({
    name: 'identity',
    port: (config) => config.IDENTITY_PORT,
    useRedis: true,
    env,
    setup: (rt) => setupIdentity(rt, settings),
  });
}

if (isEntryPoint(import.meta.url)) runMain(() => startIdentity());
