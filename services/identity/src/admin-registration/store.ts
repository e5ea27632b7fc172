/**
 * What admin registration (document 000) needs from storage: pending registrations and resend
 * cooldowns (Redis, expiring), and the account base (Postgres) to finish one.
 */

/** Step one's request, kept until its code is entered (or 30 minutes passed). */
export interface PendingRegistration {
  /** The username as typed (its case kept, a leading `@` dropped): the account's username. */
  username: string;
  /** argon2id hash of the password given at step one. */
  passwordHash: string;
  /** The Telegram chat the code went to. */
  chatId: number;
}

export interface PendingRegistrationStore {
  put(id: string, pending: PendingRegistration, ttlS: number): Promise<void>;
  /** Reads and deletes in one step: a pending registration completes at most once. */
  take(id: string): Promise<PendingRegistration | undefined>;
  drop(id: string): Promise<void>;
}

export type CooldownClaim = { claimed: true } | { claimed: false; retryAfterMs: number };

/** Per-username resend cooldowns of step one. */
export interface CooldownStore {
  /** Claims the username's cooldown for `ttlS` unless it is running (then: how long it still runs). */
  claim(username: string, ttlS: number): Promise<CooldownClaim>;
  release(username: string): Promise<void>;
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
