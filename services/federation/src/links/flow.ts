import { PROVIDER_LABELS, type ProviderId, type ProviderTokens } from '../providers/provider.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { invalidParameter, missingParameter } from '../request-errors.js';
import { providerDenied } from './errors.js';
import type { LinkService } from './service.js';

/** What the provider sent the browser back with (RFC 6749 §4.1.2; VK ID adds device_id). */
export interface CallbackParams {
  code?: string | undefined;
  state?: string | undefined;
  deviceId?: string | undefined;
  error?: string | undefined;
  errorDescription?: string | undefined;
  /** The browser binding the browser sent back (the cookie `/link` set). */
  binding?: string | undefined;
}

/** What the front end gets from the callback: the code, and VK ID's device_id. */
export interface CallbackResult {
  code: string;
  deviceId?: string;
}

export interface TokenParams {
  code?: string | undefined;
  deviceId?: string | undefined;
  /** The browser binding the front end's request carried (the cookie `/link` set). */
  binding?: string | undefined;
}

/** What `/link` gives the browser: the authorize URL, and the binding for its cookie. */
export interface OpenedFlow {
  authorizeUrl: string;
  binding: string;
}

/**
 * Document 002's provider flow: `/link` answers the authorize URL, `/callback` checks the state
 * and binds the code to its PKCE verifier, `/get/token` exchanges the code with that verifier
 * (DESIGN, profile 002). The verifier never leaves the service: a code intercepted on its way
 * to the front end is useless without it (RFC 7636 §1). And both steps after the link need the
 * browser binding `/link` handed out: a state or code carried to another browser (login CSRF,
 * a leaked front-end URL) is refused (RFC 9700 §4.7.1, §4.5).
 */
export interface LinkFlow {
  link(provider: ProviderId): Promise<OpenedFlow>;
  callback(provider: ProviderId, params: CallbackParams): Promise<CallbackResult>;
  token(provider: ProviderId, params: TokenParams): Promise<ProviderTokens>;
}

export interface LinkFlowDeps {
  providers: ProviderRegistry;
  links: LinkService;
  /** `${PUBLIC_BASE_URL}/<segment>/callback`: the same in the link and the exchange. */
  redirectUri(provider: ProviderId): string;
}

/** The provider's words, on one line and bounded, as the user will read them in our answer. */
function describeDenial(params: CallbackParams): string {
  const words = (params.errorDescription || params.error || 'unknown error')
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .trim()
    .slice(0, 200);
  return words || 'unknown error';
}

export function createLinkFlow(deps: LinkFlowDeps): LinkFlow {
  const { providers, links, redirectUri } = deps;

  /**
   * A denial still spends its state (in the browser that holds its binding), so the link cannot
   * be replayed afterwards. Whether the state was good does not change the answer (the user
   * said no either way), so its own failure is not reported.
   */
  async function spendState(provider: ProviderId, params: CallbackParams): Promise<void> {
    if (!params.state) return;
    try {
      await links.consumeState(provider, params.state, params.binding);
    } catch {
      // see above: the denial is the answer
    }
  }

  return {
    async link(provider) {
      const chosen = providers.require(provider);
      const { state, codeChallenge, binding } = await links.open(provider);
      const authorizeUrl = chosen.authorizeUrl({ state, codeChallenge, redirectUri: redirectUri(provider) });
      return { authorizeUrl, binding };
    },

    async callback(provider, params) {
      const chosen = providers.require(provider);
      if (params.error !== undefined) {
        await spendState(provider, params);
        throw providerDenied(PROVIDER_LABELS[provider], describeDenial(params));
      }
      if (!params.state) throw missingParameter('state');
      const { verifier, browser } = await links.consumeState(provider, params.state, params.binding);
      if (!params.code) throw missingParameter('code');
      const deviceId = chosen.usesDeviceId ? params.deviceId : undefined;
      await links.bindCode(provider, params.code, {
        verifier,
        state: params.state,
        browser,
        ...(deviceId ? { deviceId } : {}),
      });
      return { code: params.code, ...(deviceId ? { deviceId } : {}) };
    },

    async token(provider, params) {
      const chosen = providers.require(provider);
      if (!params.code) throw missingParameter('code');
      const binding = await links.redeemCode(provider, params.code, params.binding);
      let deviceId: string | undefined;
      if (chosen.usesDeviceId) {
        // The callback saw the device the code was issued to; a client naming another is wrong.
        if (params.deviceId && binding.deviceId && params.deviceId !== binding.deviceId) {
          throw invalidParameter('device_id', 'does not match the one the callback received');
        }
        deviceId = binding.deviceId ?? params.deviceId;
        if (!deviceId) throw missingParameter('device_id');
      }
      return chosen.exchangeCode({
        code: params.code,
        codeVerifier: binding.verifier,
        redirectUri: redirectUri(provider),
        deviceId,
        state: binding.state,
      });
    },
  };
}
