import type { AccountView } from '@propusk/contracts';
import type { PasswordHasher } from '../credentials/hasher.js';
import { accountView } from '../accounts/view.js';
import type { LoginThrottle } from '../throttle/service.js';
import { invalidCredentials } from './errors.js';
import type { LoginAccount, LoginAccountStore } from './store.js';

export type LoginBy = 'username' | 'email' | 'phone';

export interface PasswordLogin {
  by: LoginBy;
  login: string;
  password: string;
  /** The client's address, for the per-IP throttle; absent for callers that have none. */
  ip?: string | undefined;
}

export interface LoginFlow {
  /**
   * Checks a password (contract identity.verifyPassword): the account on success;
   * `invalid_credentials` for a wrong login or password; `too_many_attempts` or `unavailable`
   * from the throttle, which runs first so a throttled login costs no password hash.
   */
  verifyPassword(input: PasswordLogin): Promise<AccountView>;
}

/** The form a login is stored in: usernames are case-sensitive; e-mail is stored lower-cased. */
export function normaliseLogin(by: LoginBy, login: string): string {
  return by === 'email' ? login.toLowerCase() : login;
}

export function createLoginFlow(deps: {
  accounts: LoginAccountStore;
  hasher: Pick<PasswordHasher, 'verify'>;
  throttle: LoginThrottle;
}): LoginFlow {
  const { accounts, hasher, throttle } = deps;

  function find(by: LoginBy, login: string): Promise<LoginAccount | undefined> {
    if (by === 'email') return accounts.findByEmail(login);
    if (by === 'phone') return accounts.findByPhone(login);
    return accounts.findByUsername(login);
  }

  /** The account when the password is right; unknown accounts get the hasher's dummy verify (same time). */
  async function check(by: LoginBy, login: string, password: string): Promise<LoginAccount | undefined> {
    const account = await find(by, login);
    const ok = await hasher.verify(account?.passwordHash, password);
    return ok ? account : undefined;
  }

  return {
    async verifyPassword({ by, login, password, ip }) {
      const name = normaliseLogin(by, login);
      // The account counter is per login string (`by` included): unknown names are throttled
      // exactly like real ones, so the throttle does not reveal which accounts exist.
      const attempt = await throttle.begin({ login: `${by}:${name}`, ip });
      let account: LoginAccount | undefined;
      try {
        account = await check(by, name, password);
      } catch (err) {
        // No verdict (the database failed): the attempt is not a failed login. Giving it back
        // is best effort; the dependency's error is what the caller needs.
        await attempt.abandoned().catch(() => undefined);
        throw err;
      }
      if (!account) throw invalidCredentials();
      await attempt.succeeded();
      return accountView(account);
    },
  };
}
