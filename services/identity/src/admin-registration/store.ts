/**
 * What admin registration (document 000) needs from storage: pending registrations, resend
 * cooldowns and request counters (Redis, expiring), and the account base (Postgres) to finish one.
 */

/** Step one's request, kept until its code is entered, a newer request replaces it, or 30 minutes pass. */
export interface PendingRegistration {
  /** Random id of this request: its code's subject names it, so the code completes only this one. */
  id: string;
  /** The username as typed (its case kept, a leading `@` dropped): the account's username. */
  username: string;
  /** argon2id hash of the password given at step one. */
  passwordHash: string;
  /** The Telegram chat the code went to. */
  chatId: number;
}

/**
 * Taking a pending registration by its username and id: `taken` (now deleted); `superseded` when a
 * newer request of the username replaced it (left alone); `gone` when the username has none.
 */
export type PendingTake =
  { kind: 'taken'; registration: PendingRegistration } | { kind: 'superseded' } | { kind: 'gone' };

/** At most one pending registration per Telegram username (lower-cased): the newest request's. */
export interface PendingRegistrationStore {
  /** Keeps `pending` as the username's one pending registration, replacing any older one. */
  put(telegramUsername: string, pending: PendingRegistration, ttlS: number): Promise<void>;
  /** Reads and deletes in one step, only if the username's pending registration is `id`. */
  take(telegramUsername: string, id: string): Promise<PendingTake>;
  /** Deletes the username's pending registration if it is still `id` (a newer one stays). */
  drop(telegramUsername: string, id: string): Promise<void>;
}

export type CooldownClaim = { claimed: true } | { claimed: false; retryAfterMs: number };

/** Resend cooldowns of step one, per (username, client address): see service.ts. */
export interface CooldownStore {
  /**
   * Claims the cooldown of the username for this client (`address`: its ipBucket, or `-`) for
   * `ttlS` unless it is running (then: how long it still runs).
   */
  claim(telegramUsername: string, address: string, ttlS: number): Promise<CooldownClaim>;
  release(telegramUsername: string, address: string): Promise<void>;
}

export type CounterTake = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Code requests per username in a fixed window (kit's window counters in Redis). */
export interface RequestCounterStore {
  /** Counts one request unless `limit` were counted in the window already (then: the wait). */
  take(telegramUsername: string, limit: number, windowS: number): Promise<CounterTake>;
  /** Takes one back (the request sent no code after all). */
  giveBack(telegramUsername: string): Promise<void>;
}

export interface NewStaffAccount {
  username: string;
  passwordHash: string;
  /** The lower-cased Telegram username whose recorded chat the account is linked to. */
  telegramUsername: string;
}

export interface RegistrationAccountStore {
  /** An account's username equals `telegramUsername` ignoring case. */
  usernameTaken(telegramUsername: string): Promise<boolean>;
  /**
   * In one transaction: creates the account (role staff) and links the username's recorded
   * Telegram chat to it. `already_registered` when the username (in any case) has an account or
   * the chat is linked already; nothing is written then.
   */
  createStaff(account: NewStaffAccount): Promise<{ id: string }>;
}
