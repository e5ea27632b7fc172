/**
 * What login throttling needs from storage (the domain defines it; Redis implements it, tests
 * use an in-memory fake). Counters live in fixed windows that open at a counter's first hit.
 */
export interface CounterLimit {
  readonly key: string;
  /** The counter may reach this value; a take at this value is refused. */
  readonly limit: number;
}

export type TakeResult =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** The keys of one account seen from one client address (keys.ts). */
export interface AccountAddressKeys {
  readonly pair: string;
  readonly account: string;
  readonly delay: string;
  readonly known: string;
  /** The client address's bucket, as the known-addresses set holds it. */
  readonly bucket: string;
}

export interface DelayRule {
  /** Account-wide failures from which an address's failures start delaying its next attempt. */
  readonly after: number;
  readonly maxMs: number;
}

export interface ThrottleStore {
  /**
   * Atomically (per hash slot): when every counter is below its limit, adds one to each
   * (opening a window of `windowMs` for a counter that had none) and answers allowed;
   * otherwise changes nothing and answers the longest time until a counter at its limit
   * expires. Atomic, so concurrent attempts are counted exactly and a burst cannot slip past.
   */
  take(counters: readonly CounterLimit[], windowMs: number): Promise<TakeResult>;
  /** Takes one back from each counter (an attempt that turned out not to be a failure). */
  giveBack(keys: readonly string[]): Promise<void>;
  /** Deletes the counters. */
  clear(keys: readonly string[]): Promise<void>;
  /** Milliseconds left of a delay key, 0 when there is none. */
  delayLeft(key: string): Promise<number>;
  /**
   * After a failure, in one step: unless the address is a known one, and once the account's
   * failures reach `rule.after`, sets the address's delay to 2^(its failures − 1) s, at most
   * `rule.maxMs`. Answers the delay set (0 for none).
   */
  delayAfterFailure(keys: AccountAddressKeys, rule: DelayRule): Promise<number>;
  /** Adds the address to the account's known ones (the newest `keep`, for `ttlMs`). */
  remember(keys: AccountAddressKeys, keep: number, ttlMs: number): Promise<void>;
}
