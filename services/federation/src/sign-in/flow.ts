import type {
  AccountView,
  FederatedProfile,
  identityOps,
  RpcRequest,
  RpcResponse,
  tokenOps,
} from '@propusk/contracts';
import type { ProviderId, ProviderUser } from '../providers/provider.js';
import type { UserInfoRequest } from '../userinfo/service.js';
import { dependencyFailure, registeredWithoutTokens } from './errors.js';

export type SignInMode = RpcRequest<typeof identityOps.federatedSignIn>['mode'];
export type AuthorizationPair = RpcResponse<typeof tokenOps.issueAuthorization>;

/** identity as the sign-in uses it (identityOps.federatedSignIn). */
export interface FederatedAccounts {
  signIn(request: RpcRequest<typeof identityOps.federatedSignIn>, requestId?: string): Promise<AccountView>;
}

/** The token service as the sign-in uses it (tokenOps.issueAuthorization). */
export interface AuthorizationTokens {
  issue(
    request: RpcRequest<typeof tokenOps.issueAuthorization>,
    requestId?: string,
  ): Promise<AuthorizationPair>;
}

export interface SignInRequest {
  provider: ProviderId;
  mode: SignInMode;
  accessToken: string;
  requestId?: string | undefined;
}

/**
 * Document 002, `/{provider}/registration` and `/{provider}/login`: the provider's user info
 * (our client's token only), then identity registers or finds the account of (provider,
 * subject), then the token service issues our `{access, refresh}`.
 */
export interface SignInFlow {
  signIn(request: SignInRequest): Promise<AuthorizationPair>;
}

export interface SignInFlowDeps {
  userInfo(request: UserInfoRequest): Promise<ProviderUser>;
  accounts: FederatedAccounts;
  tokens: AuthorizationTokens;
}

/** Contracts' issueAuthorization: `user_name` is the e-mail, else the phone, else `<provider>:<id>`. */
export function userNameOf(account: AccountView, profile: FederatedProfile): string {
  return account.email ?? account.phone ?? `${profile.provider}:${profile.subject}`;
}

export function createSignInFlow(deps: SignInFlowDeps): SignInFlow {
  const { userInfo, accounts, tokens } = deps;
  return {
    async signIn({ provider, mode, accessToken, requestId }) {
      // The provider first: a refused token or a provider outage ends here, before identity
      // is asked anything, so no account is made from a sign-in that cannot complete.
      const { clientId: _ours, ...profile } = await userInfo({ provider, accessToken });
      let account: AccountView;
      try {
        account = await accounts.signIn({ mode, profile }, requestId);
      } catch (err) {
        throw dependencyFailure('identity.federatedSignIn', provider, err);
      }
      const subject = { accountId: account.id, userName: userNameOf(account, profile), roles: account.roles };
      try {
        return await tokens.issue(subject, requestId);
      } catch (err) {
        if (mode === 'register') throw registeredWithoutTokens(provider, err);
        throw dependencyFailure('token.issueAuthorization', provider, err);
      }
    },
  };
}
