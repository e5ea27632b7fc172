// The federation domain as other workspace code uses it: links, user info and the sign-in.
import type { ProviderRegistry } from './providers/registry.js';
import { createLinkFlow, type LinkFlow } from './links/flow.js';
import { createLinkService, type LinkService, type LinkTtls } from './links/service.js';
import type { LinkStore } from './links/store.js';
import { PROVIDER_PATHS, type ProviderId } from './providers/provider.js';
import {
  createSignInFlow,
  type AuthorizationTokens,
  type FederatedAccounts,
  type SignInFlow,
} from './sign-in/flow.js';
import { createUserInfoService, type UserInfoService } from './userinfo/service.js';

export {
  PROVIDER_IDS,
  PROVIDER_LABELS,
  PROVIDER_PATHS,
  type Provider,
  type ProviderId,
  type ProviderTokens,
  type ProviderUser,
} from './providers/provider.js';
export { createProviders, providerRegistry, type ProviderRegistry } from './providers/registry.js';
export { createRedisLinkStore } from './links/redis-store.js';
export { createLinkService, type LinkService } from './links/service.js';
export { createLinkFlow, type LinkFlow } from './links/flow.js';
export {
  createUserInfoService,
  userInfoReply,
  type UserInfoService,
  type UserInfoRequest,
} from './userinfo/service.js';
export {
  createSignInFlow,
  userNameOf,
  type AuthorizationPair,
  type AuthorizationTokens,
  type FederatedAccounts,
  type SignInFlow,
  type SignInMode,
  type SignInRequest,
} from './sign-in/flow.js';

export interface FederationDomain {
  providers: ProviderRegistry;
  links: LinkService;
  flow: LinkFlow;
  userInfo: UserInfoService['userInfo'];
  signIn: SignInFlow;
}

/** `${PUBLIC_BASE_URL}/<segment>/callback`, the redirect URI registered with each provider. */
export function callbackUri(publicBaseUrl: string, provider: ProviderId): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/${PROVIDER_PATHS[provider]}/callback`;
}

/** The domain, built from its dependencies (transport-free: main.ts puts HTTP and NATS on it). */
export function createFederationDomain(deps: {
  providers: ProviderRegistry;
  store: LinkStore;
  ttls: LinkTtls;
  publicBaseUrl: string;
  /** identity, for registration and login (identityOps.federatedSignIn). */
  accounts: FederatedAccounts;
  /** The token service, for document 002's `{access, refresh}` (tokenOps.issueAuthorization). */
  tokens: AuthorizationTokens;
}): FederationDomain {
  const links = createLinkService({ store: deps.store, ttls: deps.ttls });
  const flow = createLinkFlow({
    providers: deps.providers,
    links,
    redirectUri: (provider) => callbackUri(deps.publicBaseUrl, provider),
  });
  const { userInfo } = createUserInfoService({ providers: deps.providers });
  const signIn = createSignInFlow({ userInfo, accounts: deps.accounts, tokens: deps.tokens });
  return { providers: deps.providers, links, flow, userInfo, signIn };
}
