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
  /** The e-mail as the provider reported it, kept with the identity (informational). */
  providerEmail?: string | undefined;
}

export interface FederatedIdentityStore {
  /** The account (provider, subject) belongs to, if any. */
  accountOf(provider: FederationProvider, subject: string): Promise<AccountRecord | undefined>;
  /**
   * In one transaction: the account (its e-mail and phone unverified) and its identity
   * (provider, subject). The unique indexes decide races: `federated_identity_exists` (also when
   * the e-mail collides with the same provider account registered meanwhile),
   * `email_taken` or `phone_taken`, and nothing is written; `unavailable` when the database
   * cannot be reached.
   */
  createAccount(account: NewFederatedAccount): Promise<AccountRecord>;
}
