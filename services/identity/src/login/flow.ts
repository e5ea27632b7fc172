import { isPropuskError, type AccountView, type Profile } from '@propusk/contracts';
import type { PasswordHasher } from '../credentials/hasher.js';
import { accountView } from '../accounts/view.js';
import { normaliseUsername } from '../accounts/username.js';
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
   * Whether the profile admits the account (document 001's `/admin/`: only admins; document
   * 000's: only accounts with a linked Telegram chat). A refusal is answered exactly like a wrong
   * password and counted like one; it runs beside the hash for every known account, right
   * password or not, so its lookup shows in neither the answer, the throttle nor the timing.
   */
  permitted?: ((account: AccountView) => boolean | Promise<boolean>) | undefined;
}

export interface LoginFlow {
  /**
   * Checks a password (contract identity.verifyPassword): the account on success;
   * `invalid_credentials` for a wrong login or password; `too_many_attempts` or `unavailable`
   * from the throttle, which runs first so a throttled login costs no password hash.
   */
  verifyPassword(input: PasswordLogin): Promise<AccountView>;
}

/**
 * The form a login is looked up in: e-mail is stored lower-cased; a username goes to the store as
 * typed (the store matches it exactly, else by its normalised form: accounts/store.ts).
 */
export function normaliseLogin(by: LoginBy, login: string): string {
  return by === 'email' ? login.toLowerCase() : login;
}

/**
 * The name the per-account throttle counts: a username's normalised form, since `Alice` and
 * `ALICE` sign in to `alice` and must spend its one budget, not one each (issue 15).
 */
export function throttledName(by: LoginBy, name: string): string {
  return by === 'username' ? normaliseUsername(name) : name;
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

  /**
   * The account named, whether the password is right and whether the profile admits it; unknown
   * accounts get the hasher's dummy verify (same time). The admission runs concurrently with the
   * hash, which outlasts it, so a lookup it makes adds no time that a wrong password lacks.
   */
  async function check(
    account: LoginAccount | undefined,
    password: string,
    permitted: PasswordLogin['permitted'],
  ) {
    const [ok, admitted] = await Promise.all([
      hasher.verify(account?.passwordHash, password),
      account && permitted ? permitted(accountView(account)) : true,
    ]);
    return { account, ok, admitted };
  }

  /** Counts the attempt first; a throttled one is a failed login too (auth.login.failed, `throttled`). */
  async function begin(subject: { account: string; ip?: string | undefined }, report: () => void) {
    try {
      return await throttle.begin(subject);
    } catch (err) {
      if (isPropuskError(err) && err.code === 'too_many_attempts') report();
      throw err;
    }
  }

  /**
   * Marks a failure for the progressive delay. Best effort: the attempt is already counted, and a
   * store that fails just now must not turn a wrong password into a different answer.
   */
  async function failed(attempt: LoginAttempt): Promise<void> {
    await attempt.failed().catch(() => undefined);
  }

  return {
    async verifyPassword({ by, login, password, ip, profile, permitted }) {
      const name = normaliseLogin(by, login);
      const how = { profile, method: 'password', by } as const;
      // A database failure here has counted nothing yet: the caller gets the dependency's error.
      const found = await find(by, name);
      // Throttled per account, whatever spelling or form of login named it (issue 15: one
      // budget, not one per form); a name nobody has is throttled by itself (`by` included),
      // exactly like a real one.
      const subject = found ? `account:${found.id}` : `${by}:${throttledName(by, name)}`;
      const attempt: LoginAttempt = await begin({ account: subject, ip }, () =>
        events.loginFailed({ ...how, reason: 'throttled' }),
      );
      let verdict: { account: LoginAccount | undefined; ok: boolean; admitted: boolean };
      try {
        verdict = await check(found, password, permitted);
      } catch (err) {
        // No verdict (the database failed): the attempt is not a failed login. Giving it back
        // is best effort; the dependency's error is what the caller needs.
        await attempt.abandoned().catch(() => undefined);
        throw err;
      }
      const { account, ok, admitted } = verdict;
      if (!account || !ok) {
        events.loginFailed({
          ...how,
          reason: account ? 'wrong_password' : 'unknown_user',
          accountId: account?.id,
        });
        await failed(attempt);
        throw invalidCredentials();
      }
      const view = accountView(account);
      if (!admitted) {
        // Still counted as a failure: forgiving it would tell the right password from a wrong one.
        events.loginFailed({ ...how, reason: 'not_permitted', accountId: view.id });
        await failed(attempt);
        throw invalidCredentials();
      }
      await attempt.succeeded();
      events.loginSucceeded({ ...how, accountId: view.id });
      return view;
    },
  };
}
