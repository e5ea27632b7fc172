import type { Role } from '@propusk/db';

/** What the accounts capability needs from storage (the domain defines it; Prisma implements it). */
export interface NewAccount {
  /** As typed at registration: what the documents answer. */
  username?: string;
  /** Required with `username` (username.ts); the unique indexes refuse a taken or look-alike name. */
  usernameNormalised?: string;
  usernameSkeleton?: string;
  email?: string;
  phone?: string;
  name?: string;
  surname?: string;
  patronymic?: string;
  passwordHash?: string;
  roles: Role[];
}

export interface AccountRecord {
  id: string;
  username: string | null;
  email: string | null;
  phone: string | null;
  roles: Role[];
  passwordHash: string | null;
}

export interface AccountStore {
  create(account: NewAccount): Promise<AccountRecord>;
  /**
   * The account a login name names: the one whose username is exactly `typed`, else the one
   * whose normalised username is `typed`'s (so `Alice` finds `alice`). Exact first, for an
   * account the backfill left without keys because an older one shares its form.
   */
  findByUsername(typed: string): Promise<AccountRecord | undefined>;
  /** `email` lower-cased, as `create` stores it. */
  findByEmail(email: string): Promise<AccountRecord | undefined>;
  findByPhone(phone: string): Promise<AccountRecord | undefined>;
  findById(id: string): Promise<AccountRecord | undefined>;
}

/**
 * Accounts signed up with their e-mail and phone (document 002's registration): the store's
 * rules for both, so every caller refuses a taken contact the same way.
 */
export interface ContactAccountStore {
  /** `email` lower-cased, as accounts store it. */
  findByEmail(email: string): Promise<AccountRecord | undefined>;
  /** `phone` in E.164. */
  findByPhone(phone: string): Promise<AccountRecord | undefined>;
  /**
   * Creates the account; `email_taken` / `phone_taken` when another account holds either (the
   * unique index decides, so of two concurrent sign-ups one wins), `unavailable` when the
   * database cannot be reached.
   */
  createWithContacts(account: NewAccount): Promise<AccountRecord>;
}
