import type { CodePurpose } from '@propusk/contracts';
import type { Role } from '@propusk/db';
import type { LoginKind } from './logins.js';

/**
 * What document 003's flows need from storage: the account base (Postgres) and two short-lived
 * records (Redis): which purpose a login's last code was sent for, and recovery grants.
 */

/** An account as v2 sees it (never its password hash). */
export interface V2Account {
  id: string;
  username: string | null;
  email: string | null;
  phone: string | null;
  /** Proven by a code sent to it (issue 15: an unproven contact never outranks a proven one). */
  emailVerified: boolean;
  phoneVerified: boolean;
  roles: Role[];
}

/** Registration's account: a person with an e-mail, a phone and a password, no roles. */
export interface NewPerson {
  name: string;
  surname: string;
  patronymic: string | null;
  /** Lower-cased. */
  email: string;
  /** E.164. */
  phone: string;
  passwordHash: string;
}

export interface V2AccountStore {
  /** `email` lower-cased. */
  findByEmail(email: string): Promise<V2Account | undefined>;
  /** `phone` in E.164. */
  findByPhone(phone: string): Promise<V2Account | undefined>;
  findById(id: string): Promise<V2Account | undefined>;
  /**
   * Creates the account; `email_taken` or `phone_taken` when another account holds either
   * (the unique index decides, so two concurrent registrations cannot both succeed).
   */
  create(person: NewPerson): Promise<V2Account>;
  /** Marks the account's e-mail or phone verified when it still equals `value`; false otherwise. */
  markVerified(accountId: string, kind: LoginKind, value: string): Promise<boolean>;
  /** Replaces the account's password hash; false when the account is gone. */
  setPasswordHash(accountId: string, passwordHash: string): Promise<boolean>;
}

/** Per login, the purpose its last code was requested for (document 003's code endpoint names none). */
export interface PendingPurposeStore {
  put(login: string, purpose: CodePurpose, ttlS: number): Promise<void>;
  get(login: string): Promise<CodePurpose | undefined>;
  /** Deletes the record when it still names `purpose` (a newer request keeps its own). */
  drop(login: string, purpose: CodePurpose): Promise<void>;
}

/** Tokens signed in by a recovery code, by token id, with the account they may set a password for. */
export interface RecoveryGrantStore {
  put(tokenId: string, accountId: string, ttlS: number): Promise<void>;
  get(tokenId: string): Promise<string | undefined>;
  drop(tokenId: string): Promise<void>;
}
