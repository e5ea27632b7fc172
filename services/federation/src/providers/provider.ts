import type { identityOps } from '@propusk/contracts';

/** The providers of document 002, by the ids contracts give them. */
export type ProviderId = identityOps.FederationProvider;

/**
 * Each provider's segment in document 002's URL space (`/vk/…`, `/mail.ru/…`, `/yandex/…`);
 * the redirect URI registered with the provider is `${PUBLIC_BASE_URL}/<segment>/callback`.
 */
export const PROVIDER_PATHS: Readonly<Record<ProviderId, string>> = Object.freeze({
  vk: 'vk',
  yandex: 'yandex',
  mailru: 'mail.ru',
});

export const PROVIDER_IDS = Object.keys(PROVIDER_PATHS) as ProviderId[];

/** Names for messages a user may read. */
export const PROVIDER_LABELS: Readonly<Record<ProviderId, string>> = Object.freeze({
  vk: 'VK ID',
  yandex: 'Yandex',
  mailru: 'Mail.ru',
});

/** Document 002's answer of `/{provider}/get/token`, field names as the document spells them. */
export interface ProviderTokens {
  access_token: string;
  refresh_token: string;
  /** Seconds the access token lives (the provider's `expires_in`). */
  expire_in: number;
}

/**
 * A provider's user info, normalised (contracts' FederatedProfile) plus the client the access
 * token was issued to, so callers can refuse a token minted for another application.
 */
export interface ProviderUser extends identityOps.FederatedProfile {
  clientId: string;
}

export interface AuthorizeParams {
  state: string;
  /** RFC 7636 S256 challenge of the verifier we keep. */
  codeChallenge: string;
  redirectUri: string;
}

export interface ExchangeParams {
  code: string;
  codeVerifier: string;
  /** The same redirect URI the authorize link carried (RFC 6749 §4.1.3). */
  redirectUri: string;
  /** VK ID only: the device the code was issued to (its callback's `device_id`). */
  deviceId?: string | undefined;
  /** VK ID only: its token request carries a state, echoed back. */
  state?: string | undefined;
}

/** One OAuth provider: the link, the code exchange and the user info, in its own dialect. */
export interface Provider {
  readonly id: ProviderId;
  /** Our client id at the provider. */
  readonly clientId: string;
  /** VK ID binds a code to a device: the callback carries `device_id` and the exchange needs it. */
  readonly usesDeviceId: boolean;
  authorizeUrl(params: AuthorizeParams): string;
  /** Throws PropuskError: provider_code_rejected, provider_unavailable. */
  exchangeCode(params: ExchangeParams): Promise<ProviderTokens>;
  /**
   * `emailVerified` is true only for an address on a mailbox the provider hosts itself (its
   * `*_MAILBOXES`, fields.ts providerEmail): no provider's user info says more.
   * Throws PropuskError: provider_token_invalid, provider_token_foreign, provider_unavailable.
   */
  userInfo(accessToken: string): Promise<ProviderUser>;
}
