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

export interface ThrottleStore {
  /**
   * Atomically: when every counter is below its limit, adds one to each (opening a window of
   * `windowMs` for a counter that had none) and answers allowed; otherwise changes nothing and
   * answers the longest time until a counter at its limit expires. Atomic, so concurrent
   * attempts are counted exactly and a burst cannot slip past the limit.
   */
  take(counters: readonly CounterLimit[], windowMs: number): Promise<TakeResult>;
  /** Takes one back from each counter (an attempt that turned out not to be a failure). */
  giveBack(keys: readonly string[]): Promise<void>;
  /** Deletes the counters. */
  clear(keys: readonly string[]): Promise<void>;
}
