import type { FederationProvider } from '@propusk/contracts';
import type { AccountRecord } from '../accounts/store.js';

/** What federated sign-in needs from storage (the domain defines it; Prisma implements it). */
export interface NewFederatedAccount {
  provider: FederationProvider;
  /** The provider's stable user id. */
  subject: string;
  /** Lower-cased. */
  email?: string | undefined;
  /** E.164. */
  phone?: string | undefined;
  name?: string | undefined;
  surname?: string | undefined;
  /** The e-mail as the provider reported it, kept with the identity. */
  providerEmail?: string | undefined;
  /**
   * The provider vouched for that e-mail (contracts' FederatedProfile.emailVerified): the
   * account's e-mail starts proven, and the identity records it. Absent: it did not.
   */
  emailVerified?: boolean | undefined;
}

/** A federated identity as login judges it: its account, and what vouched for which e-mail. */
export interface FederatedLink {
  account: AccountRecord;
  /** Whether the account's e-mail is proven (by its provider at registration, or a code since). */
  accountEmailVerified: boolean;
  /** The e-mail the provider reported when the identity was linked, as reported. */
  email: string | null;
  /** Whether the provider vouched for `email` then. */
  emailVerified: boolean;
}

export interface FederatedIdentityStore {
  /** The account (provider, subject) belongs to, if any. */
  accountOf(provider: FederationProvider, subject: string): Promise<AccountRecord | undefined>;
  /** The identity (provider, subject) with its account, if any. */
  linkOf(provider: FederationProvider, subject: string): Promise<FederatedLink | undefined>;
  /**
   * In one transaction: the account (its phone unverified, its e-mail verified only when the
   * provider vouched for it) and its identity (provider, subject). The unique indexes decide
   * races: `federated_identity_exists` (also when the e-mail collides with the same provider
   * account registered meanwhile), `email_taken` or `phone_taken`, and nothing is written;
   * `unavailable` when the database cannot be reached.
   */
  createAccount(account: NewFederatedAccount): Promise<AccountRecord>;
}
