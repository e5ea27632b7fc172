import { authorizationHttp, type federationOps, type RpcResponse } from '@propusk/contracts';
import { tokenForeign } from '../providers/errors.js';
import type { ProviderId, ProviderUser } from '../providers/provider.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { invalidParameter, missingParameter } from '../request-errors.js';

export interface UserInfoRequest {
  provider: ProviderId;
  accessToken: string;
}

/**
 * `federation.userInfo` (contracts' federationOps.userInfo; DESIGN, 002: "/registration and
 * /login take the provider's access token, read the provider's user info, check the token was
 * issued to our client id"). A token minted for another application must not sign anyone in
 * here: that would let any site the user once authorized with the provider impersonate them
 * (the confused deputy of RFC 6819 §4.4.2.6 / OAuth "token substitution").
 */
export interface UserInfoService {
  /** Throws PropuskError: invalid_request, provider_not_configured, provider_token_invalid,
   *  provider_token_foreign, provider_unavailable. */
  userInfo(request: UserInfoRequest): Promise<ProviderUser>;
}

/** The contracts' bound on access tokens (federationOps.userInfo; authorizationHttp.ProviderSignInQuery). */
export const MAX_ACCESS_TOKEN_LENGTH = authorizationHttp.PROVIDER_ACCESS_TOKEN_MAX_LENGTH;

export function createUserInfoService(deps: { providers: ProviderRegistry }): UserInfoService {
  return {
    async userInfo({ provider, accessToken }) {
      const chosen = deps.providers.require(provider);
      if (!accessToken) throw missingParameter('access_token');
      if (accessToken.length > MAX_ACCESS_TOKEN_LENGTH) throw invalidParameter('access_token', 'is too long');
      const user = await chosen.userInfo(accessToken);
      // VK checks this itself (user_info takes our client_id); Yandex and Mail.ru tell whose
      // token it is and leave the check to us.
      if (user.clientId !== chosen.clientId) throw tokenForeign(provider);
      return user;
    },
  };
}

/** The contract's reply: the profile, and apart from it the client the token was issued to. */
export function userInfoReply(user: ProviderUser): RpcResponse<typeof federationOps.userInfo> {
  const { clientId, ...profile } = user;
  return { profile, clientId };
}
