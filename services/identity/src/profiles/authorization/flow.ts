import type { RpcRequest, RpcResponse, tokenOps } from '@propusk/contracts';
import { emailTaken, phoneTaken } from '../../accounts/errors.js';
import type { ContactAccountStore } from '../../accounts/store.js';
import { passwordRejected } from '../../credentials/policy.js';
import type { PasswordHasher } from '../../credentials/hasher.js';
import { checkPassword } from '../../credentials/policy.js';
import { NO_IDENTITY_EVENTS, type IdentityEvents } from '../../events/port.js';
import type { LoginFlow } from '../../login/flow.js';
import { registeredWithoutTokens } from './refusals.js';

export type AuthorizationPair = RpcResponse<typeof tokenOps.issueAuthorization>;

/** The token service as document 002 uses it (tokenOps.issueAuthorization over NATS). */
export interface AuthorizationTokens {
  issue(
    subject: RpcRequest<typeof tokenOps.issueAuthorization>,
    requestId?: string,
  ): Promise<AuthorizationPair>;
}

export interface ContactRegistration {
  /** Lower-cased. */
  email: string;
  /** E.164. */
  phone: string;
  password: string;
  requestId?: string | undefined;
}

export interface ContactLogin {
  by: 'email' | 'phone';
  /** The e-mail as sent (the login flow lower-cases it), or the phone in E.164. */
  login: string;
  password: string;
  ip?: string | undefined;
  requestId?: string | undefined;
}

export interface AuthorizationFlow {
  /**
   * Document 002, "Registration": the password policy, then the e-mail and phone must be free
   * (`email_taken` / `phone_taken`, also when a concurrent registration wins the race), then
   * the account (argon2id hash, no roles) and its first pair of tokens.
   */
  register(input: ContactRegistration): Promise<AuthorizationPair>;
  /**
   * Document 002, "Login/Email" and "Login/Phone_number": the login flow (throttled per login and
   * IP, a dummy verify for unknown logins, one `invalid_credentials` for both), then a pair.
   */
  login(input: ContactLogin): Promise<AuthorizationPair>;
}

export function createAuthorizationFlow(deps: {
  accounts: ContactAccountStore;
  hasher: Pick<PasswordHasher, 'hash'>;
  login: LoginFlow;
  tokens: AuthorizationTokens;
  events?: IdentityEvents;
}): AuthorizationFlow {
  const { accounts, hasher, login, tokens } = deps;
  const events = deps.events ?? NO_IDENTITY_EVENTS;
  return {
    async register({ email, phone, password, requestId }) {
      const problem = checkPassword(password);
      if (problem) throw passwordRejected(problem);
      // Checked before the password is hashed, so a taken address costs no argon2 run.
      if (await accounts.findByEmail(email)) throw emailTaken();
      if (await accounts.findByPhone(phone)) throw phoneTaken();
      const passwordHash = await hasher.hash(password);
      const account = await accounts.createWithContacts({ email, phone, passwordHash, roles: [] });
      events.registered({ accountId: account.id, profile: 'authorization', method: 'password' });
      try {
        // contracts' issueAuthorization: `user_name` is the account's e-mail.
        return await tokens.issue(
          { accountId: account.id, userName: email, roles: account.roles },
          requestId,
        );
      } catch (err) {
        throw registeredWithoutTokens(err);
      }
    },

    async login({ by, login: name, password, ip, requestId }) {
      const account = await login.verifyPassword({ by, login: name, password, ip, profile: 'authorization' });
      const userName = account.email ?? account.phone ?? name;
      return tokens.issue({ accountId: account.id, userName, roles: account.roles }, requestId);
    },
  };
}
