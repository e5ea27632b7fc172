import { federationOps, identityOps, tokenOps } from '@propusk/contracts';
import {
  describeConfig,
  loadConfig,
  runMain,
  startProcess,
  type Runtime,
  type Started,
  isEntryPoint,
} from '@propusk/kit';
import { createFederationDomain, userInfoReply, type FederationDomain } from './domain.js';
import { createRedisLinkStore } from './links/redis-store.js';
import { registerAuthorizationRoutes } from './profiles/authorization/routes.js';
import { createProviders, type ProviderRegistry } from './providers/registry.js';
import { FEDERATION_SETTINGS, type FederationSettings } from './settings.js';

/**
 * The federation service process: wiring only (transport → domain → store). NATS serves
 * `federation.userInfo`; HTTP serves document 002's provider routes; registration and login
 * call identity and the token service over NATS.
 */
export async function setupFederation(
  rt: Runtime,
  settings: FederationSettings,
  providers: ProviderRegistry,
): Promise<FederationDomain> {
  const redis = rt.redis;
  if (!redis) throw new Error('federation needs Redis (useRedis)');
  rt.log.info(
    { settings: describeConfig(FEDERATION_SETTINGS, settings), providers: providers.configured() },
    'federation settings',
  );

  const domain = createFederationDomain({
    providers,
    store: createRedisLinkStore(redis),
    ttls: { stateS: settings.OAUTH_STATE_TTL_S, codeS: settings.OAUTH_CODE_TTL_S },
    publicBaseUrl: rt.config.PUBLIC_BASE_URL,
    accounts: {
      signIn: async (req, requestId) =>
        (await rt.client.call(identityOps.federatedSignIn, req, { requestId })).account,
    },
    tokens: {
      issue: (req, requestId) => rt.client.call(tokenOps.issueAuthorization, req, { requestId }),
    },
  });
  rt.rpc.handle(federationOps.userInfo, async (req) => userInfoReply(await domain.userInfo(req)));
  await registerAuthorizationRoutes(rt.http, {
    flow: domain.flow,
    signIn: domain.signIn,
    frontendRedirect: settings.OAUTH_FRONTEND_REDIRECT,
    cookie: {
      publicBaseUrl: rt.config.PUBLIC_BASE_URL,
      // RFC 9700 §4.7.1's binding must not travel in clear where the deployment is real.
      secure: rt.config.PUBLIC_BASE_URL.startsWith('https:') || rt.config.NODE_ENV === 'production',
      maxAgeS: settings.OAUTH_STATE_TTL_S + settings.OAUTH_CODE_TTL_S,
    },
  });
  return domain;
}

export interface StartedFederation extends Started {
  readonly domain: FederationDomain;
}

/** Starts the federation process; the settings are checked (and providers built) before anything connects. */
export async function startFederation(env: NodeJS.ProcessEnv = process.env): Promise<StartedFederation> {
  const settings = loadConfig(FEDERATION_SETTINGS, env);
  const providers = createProviders(settings);
  let domain: FederationDomain | undefined;
  const started = await startProcess({
    name: 'federation',
    port: (config) => config.FEDERATION_PORT,
    useRedis: true,
    env,
    setup: async (rt) => {
      domain = await setupFederation(rt, settings, providers);
    },
  });
  return Object.assign(started, { domain: domain as FederationDomain });
}

if (isEntryPoint(import.meta.url)) runMain(() => startFederation());
