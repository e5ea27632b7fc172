import { ConfigError } from '@propusk/kit';
import type { FederationSettings } from '../settings.js';
import { notConfigured } from './errors.js';
import { createMailruProvider } from './mailru.js';
import type { Provider, ProviderId } from './provider.js';
import { createVkProvider } from './vk.js';
import { createYandexProvider } from './yandex.js';

/** The providers this deployment has a client for; the others are simply absent. */
export interface ProviderRegistry {
  get(id: ProviderId): Provider | undefined;
  /** The provider, or `provider_not_configured` (its routes answer 404). */
  require(id: ProviderId): Provider;
  configured(): ProviderId[];
}

export function providerRegistry(providers: readonly Provider[]): ProviderRegistry {
  const byId = new Map(providers.map((p) => [p.id, p]));
  return {
    get: (id) => byId.get(id),
    require(id) {
      const provider = byId.get(id);
      if (!provider) throw notConfigured(id);
      return provider;
    },
    configured: () => [...byId.keys()],
  };
}

/**
 * Builds the providers whose client id is set (DESIGN's VK_*, YANDEX_*, MAILRU_* variables).
 * Yandex and Mail.ru authenticate the client at the token endpoint, so a client id without its
 * secret stops the start with a message naming the missing variable.
 */
export function createProviders(settings: FederationSettings): ProviderRegistry {
  const timeoutMs = settings.OAUTH_HTTP_TIMEOUT_MS;
  const providers: Provider[] = [];
  if (settings.VK_CLIENT_ID) {
    providers.push(
      createVkProvider({ clientId: settings.VK_CLIENT_ID, baseUrl: settings.VK_ID_BASE_URL, timeoutMs }),
    );
  }
  if (settings.YANDEX_CLIENT_ID) {
    providers.push(
      createYandexProvider({
        clientId: settings.YANDEX_CLIENT_ID,
        clientSecret: secretFor('YANDEX', settings.YANDEX_CLIENT_SECRET),
        oauthBaseUrl: settings.YANDEX_OAUTH_BASE_URL,
        loginBaseUrl: settings.YANDEX_LOGIN_BASE_URL,
        timeoutMs,
      }),
    );
  }
  if (settings.MAILRU_CLIENT_ID) {
    providers.push(
      createMailruProvider({
        clientId: settings.MAILRU_CLIENT_ID,
        clientSecret: secretFor('MAILRU', settings.MAILRU_CLIENT_SECRET),
        baseUrl: settings.MAILRU_OAUTH_BASE_URL,
        timeoutMs,
      }),
    );
  }
  return providerRegistry(providers);
}

function secretFor(prefix: 'YANDEX' | 'MAILRU', secret: string | undefined): string {
  if (!secret) {
    throw new ConfigError(`${prefix}_CLIENT_SECRET`, `is required when ${prefix}_CLIENT_ID is set`);
  }
  return secret;
}
