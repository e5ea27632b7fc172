import { failClosed } from '@propusk/kit';
import {
  accountCounterKey,
  delayKey,
  ipBucket,
  ipCounterKey,
  knownAddressesKey,
  pairCounterKey,
} from './keys.js';
import { throttleUnavailable, tooManyAttempts } from './errors.js';
import type { AccountAddressKeys, CounterLimit, ThrottleStore } from './store.js';

export interface ThrottleLimits {
  /** Failed logins allowed per account from one client address in one window. */
  readonly perAccount: number;
  /** Failed logins allowed per client IP in one window, across accounts. */
  readonly perIp: number;
  readonly windowS: number;
  /**
   * Account-wide failures (from every address) after which each further failure from an
   * address the account has not signed in from delays that address's next attempt:
   * 1 s, 2 s, 4 s … up to `maxDelayS`. Default: twice `perAccount`.
   */
  readonly delayAfter?: number;
  /** The longest progressive delay. Default 60 s. */
  readonly maxDelayS?: number;
}

/** How many addresses an account remembers signing in from, and for how long. */
const KNOWN_ADDRESSES = 10;
const KNOWN_FOR_MS = 30 * 24 * 3600 * 1000;
const DEFAULT_MAX_DELAY_S = 60;
/** Counters without a limit of their own (the account-wide count) are taken with this one. */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** One login attempt, counted as a failure from the start until it says otherwise. */
export interface LoginAttempt {
  /**
   * The password was right: this attempt is no failure, the account's failures from this
   * address are forgiven, and the address becomes one the account is known to use.
   */
  succeeded(): Promise<void>;
  /** The attempt failed: past the account-wide threshold, the address waits before its next. */
  failed(): Promise<void>;
  /** The attempt reached no verdict (a dependency failed): it is not counted. */
  abandoned(): Promise<void>;
}

export interface LoginThrottle {
  /**
   * Counts an attempt against the account from this address, the account as a whole and the
   * address across accounts, before the password is checked; or refuses it
   * (`too_many_attempts`, details.retryAfter in seconds) when this address used up its budget on
   * the account, is waiting out a delay, or used up its budget across accounts. So no password
   * hash runs for a throttled login, and counting first, atomically, keeps a burst of concurrent
   * guesses from passing together.
   *
   * `account` is the account's id when the login names one (every spelling and form of login
   * then spends one budget: issue 15), else the login string itself, so unknown names are
   * throttled exactly like known ones.
   *
   * Why per address first (OWASP ASVS 5.0 V6.3, "no lockout of the owner"): an attacker who
   * exhausts a budget exhausts only his own address's; the owner, elsewhere, still signs in.
   * Against many addresses, each failing address gets progressively slower once the account as
   * a whole has seen `delayAfter` failures, but an address's first attempt and the addresses the
   * owner signed in from are never delayed: nothing anyone else does locks the owner out.
   * Storage unreachable: `unavailable` (fail closed; DESIGN, "Security baseline").
   */
  begin(subject: { account: string; ip?: string | undefined }): Promise<LoginAttempt>;
}

/** Runs a store call; any failure of the store refuses the login rather than skipping the throttle. */
const guarded = <T>(call: () => Promise<T>): Promise<T> => failClosed(call, throttleUnavailable);

function keysOf(account: string, ip: string | undefined): AccountAddressKeys {
  return {
    pair: pairCounterKey(account, ip),
    account: accountCounterKey(account),
    delay: delayKey(account, ip),
    known: knownAddressesKey(account),
    bucket: ip ? ipBucket(ip) : 'none',
  };
}

function refusal(waitMs: number) {
  return tooManyAttempts(Math.max(1, Math.ceil(waitMs / 1000)));
}

export function createLoginThrottle(deps: { store: ThrottleStore; limits: ThrottleLimits }): LoginThrottle {
  const { store, limits } = deps;
  const rule = {
    after: limits.delayAfter ?? limits.perAccount * 2,
    maxMs: (limits.maxDelayS ?? DEFAULT_MAX_DELAY_S) * 1000,
  };
  return {
    async begin({ account, ip }) {
      const keys = keysOf(account, ip);
      const wait = await guarded(() => store.delayLeft(keys.delay));
      if (wait > 0) throw refusal(wait);
      const counters: CounterLimit[] = [
        { key: keys.pair, limit: limits.perAccount },
        { key: keys.account, limit: UNLIMITED },
      ];
      if (ip) counters.push({ key: ipCounterKey(ip), limit: limits.perIp });
      const taken = await guarded(() => store.take(counters, limits.windowS * 1000));
      if (!taken.allowed) throw refusal(taken.retryAfterMs);
      const notFailures = counters.slice(1).map((c) => c.key);
      return {
        async succeeded() {
          await guarded(() =>
            Promise.all([
              store.clear([keys.pair, keys.delay]),
              store.giveBack(notFailures),
              store.remember(keys, KNOWN_ADDRESSES, KNOWN_FOR_MS),
            ]),
          );
        },
        async failed() {
          await guarded(() => store.delayAfterFailure(keys, rule));
        },
        async abandoned() {
          await guarded(() => store.giveBack(counters.map((c) => c.key)));
        },
      };
    },
  };
}
