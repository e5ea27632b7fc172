import { isPropuskError, type AccountView, type Profile } from '@propusk/contracts';
import type { PasswordHasher } from '../credentials/hasher.js';
import { accountView } from '../accounts/view.js';
import { NO_IDENTITY_EVENTS, type IdentityEvents } from '../events/port.js';
import type { LoginAttempt, LoginThrottle } from '../throttle/service.js';
import { invalidCredentials } from './errors.js';
import type { LoginAccount, LoginAccountStore } from './store.js';

export type LoginBy = 'username' | 'email' | 'phone';

export interface PasswordLogin {
  by: LoginBy;
  login: string;
  password: string;
  /** The client's address, for the per-IP throttle; absent for callers that have none. */
  ip?: string | undefined;
  /** The profile logging in, for auth.login.* events and metrics; absent for NATS callers. */
  profile?: Profile | undefined;
  /**
   * Whether the profile admits the account once its password is right (document 001's
   * `/admin/`: only admins). A refusal is answered exactly like a wrong password.
   */
  permitted?: ((account: AccountView) => boolean) | undefined;
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
  events?: IdentityEvents;
}): LoginFlow {
  const { accounts, hasher, throttle } = deps;
  const events = deps.events ?? NO_IDENTITY_EVENTS;

  function find(by: LoginBy, login: string): Promise<LoginAccount | undefined> {
    // Postgres text cannot hold U+0000 (a query with it fails): such a name is nobody's, and
    // the dummy verify still runs, so it answers like any unknown name.
    if (login.includes('\u0000')) return Promise.resolve(undefined);
    if (by === 'email') return accounts.findByEmail(login);
    if (by === 'phone') return accounts.findByPhone(login);
    return accounts.findByUsername(login);
  }

  /** The account named and whether the password is right; unknown accounts get the hasher's dummy verify (same time). */
  async function check(by: LoginBy, login: string, password: string) {
    const account = await find(by, login);
    const ok = await hasher.verify(account?.passwordHash, password);
    return { account, ok };
  }

  /** Counts the attempt first; a throttled one is a failed login too (auth.login.failed, `throttled`). */
  async function begin(subject: { login: string; ip?: string | undefined }, report: () => void) {
    try {
      return await throttle.begin(subject);
    } catch (err) {
      if (isPropuskError(err) && err.code === 'too_many_attempts') report();
      throw err;
    }
  }

  return {
    async verifyPassword({ by, login, password, ip, profile, permitted }) {
      const name = normaliseLogin(by, login);
      const how = { profile, method: 'password', by } as const;
      // The account counter is per login string (`by` included): unknown names are throttled
      // exactly like real ones, so the throttle does not reveal which accounts exist.
      const attempt: LoginAttempt = await begin({ login: `${by}:${name}`, ip }, () =>
        events.loginFailed({ ...how, reason: 'throttled' }),
      );
      let verdict: { account: LoginAccount | undefined; ok: boolean };
      try {
        verdict = await check(by, name, password);
      } catch (err) {
        // No verdict (the database failed): the attempt is not a failed login. Giving it back
        // is best effort; the dependency's error is what the caller needs.
        await attempt.abandoned().catch(() => undefined);
        throw err;
      }
      const { account, ok } = verdict;
      if (!account || !ok) {
        events.loginFailed({
          ...how,
          reason: account ? 'wrong_password' : 'unknown_user',
          accountId: account?.id,
        });
        throw invalidCredentials();
      }
      await attempt.succeeded();
      const view = accountView(account);
      if (permitted && !permitted(view)) {
        events.loginFailed({ ...how, reason: 'not_permitted', accountId: view.id });
        throw invalidCredentials();
      }
      events.loginSucceeded({ ...how, accountId: view.id });
      return view;
    },
  };
}
