import { isPropuskError } from '@propusk/contracts';
import type { PasswordHasher } from '../credentials/hasher.js';
import { checkPassword } from '../credentials/policy.js';
import { NO_IDENTITY_EVENTS, type IdentityEvents } from '../events/port.js';
import type { LoginFlow } from '../login/flow.js';
import { passwordRejected } from '../credentials/policy.js';
import { loginNotFound, recoveryNotGranted } from './errors.js';
import { tokenSubject, type V2Tokens } from './ports.js';
import type { RecoveryGrants } from './service.js';
import type { V2AccountStore } from './store.js';

export interface V2PasswordFlow {
  /**
   * "/v2/auth/loginByPassword" through the shared login flow (throttled per account and IP;
   * unknown e-mails get a dummy argon2 verify). A failure is then told apart as the document
   * asks: `email_not_found` (404:100) or `invalid_credentials` (401:103, DESIGN, 003). Both
   * cases ran the same hash and run the same lookup afterwards, so their timing agrees.
   */
  signIn(input: {
    email: string;
    password: string;
    ip?: string | undefined;
    requestId?: string | undefined;
  }): Promise<{ token: string }>;
  /**
   * A new password after a recovery sign-in: only the token a recovery code answered, within
   * 15 minutes (`recovery_not_granted`), within the policy (`password_rejected`). The account's
   * other sessions are revoked; the grant is used up once they are.
   */
  resetPassword(input: {
    accountId: string;
    tokenId: string;
    password: string;
    requestId?: string | undefined;
  }): Promise<void>;
}

export function createV2PasswordFlow(deps: {
  login: LoginFlow;
  accounts: Pick<V2AccountStore, 'findByEmail' | 'findById' | 'setPasswordHash'>;
  hasher: Pick<PasswordHasher, 'hash'>;
  grants: RecoveryGrants;
  tokens: V2Tokens;
  events?: IdentityEvents;
}): V2PasswordFlow {
  const { login, accounts, hasher, grants, tokens } = deps;
  const events = deps.events ?? NO_IDENTITY_EVENTS;

  /** A wrong password stays `invalid_credentials`; an e-mail with no account becomes `email_not_found`. */
  async function explained(err: unknown, email: string): Promise<unknown> {
    const wrong = isPropuskError(err) && err.code === 'invalid_credentials';
    return wrong && !(await accounts.findByEmail(email)) ? loginNotFound('email') : err;
  }

  return {
    async signIn({ email, password, ip, requestId }) {
      const verified = await login
        .verifyPassword({ by: 'email', login: email, password, ip, profile: 'v2' })
        .catch(async (err: unknown) => {
          throw await explained(err, email);
        });
      return tokens.issue(tokenSubject(verified), requestId);
    },

    async resetPassword({ accountId, tokenId, password, requestId }) {
      if (!(await grants.holds(tokenId, accountId))) throw recoveryNotGranted();
      const problem = checkPassword(password);
      if (problem) throw passwordRejected(problem);
      if (!(await accounts.setPasswordHash(accountId, await hasher.hash(password)))) {
        throw recoveryNotGranted();
      }
      events.passwordChanged({ accountId, profile: 'v2', method: 'recovery' });
      await tokens.revokeOthers({ accountId, keepTokenId: tokenId }, requestId);
      await grants.revoke(tokenId);
    },
  };
}
