import { accountCounterKey, ipCounterKey } from './keys.js';
import { throttleUnavailable, tooManyAttempts } from './errors.js';
import type { CounterLimit, ThrottleStore } from './store.js';

export interface ThrottleLimits {
  /** Failed logins allowed per login name in one window. */
  readonly perAccount: number;
  /** Failed logins allowed per client IP in one window, across login names. */
  readonly perIp: number;
  readonly windowS: number;
}

/** One login attempt, counted as a failure from the start until it says otherwise. */
export interface LoginAttempt {
  /** The password was right: the account's failures are forgiven, and this attempt is not one. */
  succeeded(): Promise<void>;
  /** The attempt reached no verdict (a dependency failed): it is not counted. */
  abandoned(): Promise<void>;
}

export interface LoginThrottle {
  /**
   * Counts an attempt on the account's and the IP's counters before the password is checked,
   * or refuses it (`too_many_attempts`, details.retryAfter in seconds) when either is at its
   * limit, so no password hash runs for a throttled login. Counting first, atomically, is what
   * keeps a burst of concurrent guesses from all passing the check before any is counted.
   * Storage unreachable: `unavailable` (fail closed; DESIGN, "Security baseline").
   */
  begin(subject: { login: string; ip?: string | undefined }): Promise<LoginAttempt>;
}

/** Runs a store call; any failure of the store refuses the login rather than skipping the throttle. */
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw throttleUnavailable();
  }
}

export function createLoginThrottle(deps: { store: ThrottleStore; limits: ThrottleLimits }): LoginThrottle {
  const { store, limits } = deps;
  return {
    async begin({ login, ip }) {
      const account: CounterLimit = { key: accountCounterKey(login), limit: limits.perAccount };
      const counters = ip ? [account, { key: ipCounterKey(ip), limit: limits.perIp }] : [account];
      const taken = await guarded(() => store.take(counters, limits.windowS * 1000));
      if (!taken.allowed) throw tooManyAttempts(Math.max(1, Math.ceil(taken.retryAfterMs / 1000)));
      const others = counters.slice(1).map((c) => c.key);
      return {
        async succeeded() {
          await guarded(() =>
            Promise.all([store.clear([account.key]), others.length ? store.giveBack(others) : undefined]),
          );
        },
        async abandoned() {
          await guarded(() => store.giveBack(counters.map((c) => c.key)));
        },
      };
    },
  };
}
