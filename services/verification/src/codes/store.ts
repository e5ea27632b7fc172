import type { CodePurpose } from '@propusk/contracts';
import type { CodeSlot } from './keys.js';

/**
 * What one-time codes need from storage (the domain defines it; Redis implements it, unit tests
 * use an in-memory fake). Every change of a slot and of a counter is atomic: concurrent
 * requests for one slot or one counter never interleave inside it.
 */

/** A live code as stored: never the code itself. */
export interface CodeRecord {
  /** The code service's `digest(purpose, subject, code)`. */
  readonly digest: string;
  readonly subject: string;
  /** Milliseconds since the epoch (the domain's clock): the code is refused from then on. */
  readonly expiresAt: number;
}

export interface CounterLimit {
  readonly key: string;
  /** The counter may reach this value; a take at this value is refused. */
  readonly limit: number;
}

export type TakeResult =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export interface IssueInput {
  readonly slot: CodeSlot;
  readonly record: CodeRecord;
  /** Code-only purposes: the code's lookup digest, indexed to the subject for the code's lifetime. */
  readonly lookup?: string | undefined;
  readonly ttlMs: number;
  readonly cooldownMs: number;
  readonly maxAttempts: number;
  /** Send counters (per destination, per IP), each counted once per issued code. */
  readonly sends: readonly CounterLimit[];
  readonly sendWindowMs: number;
}

export type IssueOutcome =
  /** Stored; `withdraw` undoes exactly this issue (see CodeStore.issue). */
  | { readonly kind: 'issued'; withdraw(): Promise<void> }
  | { readonly kind: 'cooldown'; readonly retryAfterMs: number }
  | { readonly kind: 'attempts-exhausted'; readonly retryAfterMs: number }
  | { readonly kind: 'send-limited'; readonly retryAfterMs: number }
  /** Another live code of the purpose has the same lookup digest: nothing changed, draw again. */
  | { readonly kind: 'collision' };

export interface ConsumeInput {
  readonly slot: CodeSlot;
  readonly digest: string;
  /** The domain's clock, compared with the record's `expiresAt`. */
  readonly now: number;
  readonly maxAttempts: number;
}

export type ConsumeOutcome =
  | { readonly kind: 'consumed'; readonly subject: string }
  /** A live code, but not this one: counted against the slot. */
  | { readonly kind: 'wrong' }
  /** No live code in the slot (never issued, expired, used, or dead after too many wrong tries). */
  | { readonly kind: 'none' };

export interface CodeStore {
  /**
   * In this order: refuses when a send counter is at its limit (counting the sends, which a
   * refusal below gives back); then atomically in the slot: refuses while the slot's resend
   * cooldown runs; refuses while the slot's wrong attempts are at `maxAttempts` (they carry
   * over resends); refuses a lookup digest a live code of the purpose holds. Otherwise
   * replaces the slot's code (and its index entry) with `record`, starts the cooldown, and
   * keeps the wrong-attempt count alive at least as long as the new code. `withdraw` removes the new code and its cooldown, gives the sends back and
   * puts the replaced code back when it is still live (a message that was never queued).
   */
  issue(input: IssueInput): Promise<IssueOutcome>;
  /**
   * Atomically compares and deletes: the slot's code when `digest` matches a live, unexpired
   * one (its wrong attempts are cleared); otherwise counts a wrong attempt, and deletes the
   * code when the count reaches `maxAttempts`. Exactly one of concurrent right checks wins.
   */
  consume(input: ConsumeInput): Promise<ConsumeOutcome>;
  /** The subject whose live code has this lookup digest (code-only purposes). */
  findSubject(purpose: CodePurpose, lookup: string): Promise<string | undefined>;
  /**
   * Atomically: when every counter is below its limit, adds one to each (opening a window of
   * `windowMs` for a counter that had none); otherwise changes nothing and answers the longest
   * time until a counter at its limit expires.
   */
  take(counters: readonly CounterLimit[], windowMs: number): Promise<TakeResult>;
  /** Takes one back from each counter (an attempt that turned out not to be a failure). */
  giveBack(keys: readonly string[]): Promise<void>;
  /**
   * Records that `ip` (its /64 for IPv6) requested a code of a code-only purpose, for at least
   * `ttlMs` (the code's lifetime): a mark that already lives longer keeps its own.
   */
  recordRequester(purpose: CodePurpose, ip: string, ttlMs: number): Promise<void>;
  /** Whether `ip` (its /64 for IPv6) requested a code of the purpose that may still be live. */
  isRequester(purpose: CodePurpose, ip: string): Promise<boolean>;
}
