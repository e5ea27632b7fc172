import type { authorizationHttp } from '@propusk/contracts';
import type { CallbackResult } from '../../links/flow.js';
import type { ProviderTokens } from '../../providers/provider.js';
import type { AuthorizationPair } from '../../sign-in/flow.js';

/**
 * Document 002's shapes: `/link` answers a JSON string (the authorize URL), `/get/token`
 * `{access_token, refresh_token, expire_in}`, `/registration` and `/login` our `{access, refresh}`;
 * the callback (DESIGN, 002) hands the front end `code` and, for VK ID, `device_id` (the
 * parameter names get/token takes). Errors are `{"detail": "..."}` (DESIGN, 002).
 */
export type DetailBody = authorizationHttp.Detail;

export function detailBody(message: string): DetailBody {
  return { detail: message };
}

export function linkBody(authorizeUrl: string): string {
  return JSON.stringify(authorizeUrl);
}

export function callbackBody(result: CallbackResult): authorizationHttp.CallbackAnswer {
  return { code: result.code, ...(result.deviceId ? { device_id: result.deviceId } : {}) };
}

export function tokensBody(tokens: ProviderTokens): authorizationHttp.ProviderTokens {
  return {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expire_in: tokens.expire_in,
  };
}

/** Exactly the two fields of document 002's example, whatever else the token service adds. */
export function authorizationBody(pair: AuthorizationPair): authorizationHttp.TokenPair {
  return { access: pair.access, refresh: pair.refresh };
}

/** OAUTH_FRONTEND_REDIRECT with the callback's parameters added (its own query is kept). */
export function frontendLocation(frontend: string, result: CallbackResult): string {
  const target = new URL(frontend);
  for (const [key, value] of Object.entries(callbackBody(result))) target.searchParams.set(key, value);
  return target.toString();
}
