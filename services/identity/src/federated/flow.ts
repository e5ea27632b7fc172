import type { AccountView, FederatedProfile, identityOps, RpcRequest } from '@propusk/contracts';
import { normaliseEmail, normaliseRussianMobile } from '../accounts/contacts.js';
import { emailTaken, phoneTaken } from '../accounts/errors.js';
import type { ContactAccountStore } from '../accounts/store.js';
import { accountView } from '../accounts/view.js';
import { NO_IDENTITY_EVENTS, type IdentityEvents } from '../events/port.js';
import { federatedIdentityExists, federatedIdentityUnknown } from './errors.js';
import type { FederatedIdentityStore, FederatedLink, NewFederatedAccount } from './store.js';

export type FederatedSignInRequest = RpcRequest<typeof identityOps.federatedSignIn>;

export interface FederatedSignIn {
  /**
   * Contract identity.federatedSignIn (document 002 `/{provider}/registration` and `/login`).
   * The account key is (provider, subject): a matching e-mail alone never signs into an
   * existing account, it refuses the registration instead (`email_taken`). Login refuses, as
   * unknown, an identity whose unvouched e-mail the account has proven since (outrankedLink).
   */
  signIn(request: FederatedSignInRequest): Promise<AccountView>;
}

/**
 * The provider's contacts in the form accounts keep them: e-mail lower-cased when it is an
 * address, phone in E.164 when it is a Russian mobile number (DESIGN, 003: the one phone form
 * accounts hold); anything else is dropped rather than stored unchecked.
 */
export function federatedAccount(profile: FederatedProfile): NewFederatedAccount {
  const email = profile.email === undefined ? undefined : normaliseEmail(profile.email);
  return {
    provider: profile.provider,
    subject: profile.subject,
    email,
    phone: profile.phone === undefined ? undefined : normaliseRussianMobile(profile.phone),
    name: profile.firstName,
    surname: profile.lastName,
    providerEmail: profile.email,
    // The provider's word, and only for an address accounts can hold (otherwise none is kept).
    emailVerified: profile.emailVerified === true && email !== undefined,
  };
}

/**
 * True when the identity no longer enters its account: the e-mail it was linked with, which its
 * provider did not vouch for, is the account's e-mail and was proven since (a document 003 code
 * to that mailbox). Whoever signed up at the provider with that address never proved it, whoever
 * reads the mailbox did: a contact nobody verified never lets anyone into an account another,
 * verified, contact has proven (issue 15; Sudhodanan & Paverd, "Pre-hijacked accounts", 2022;
 * v2/code-flow.ts `outranked` for document 003). An identity without an e-mail, with a vouched
 * one, or with one the account does not hold is unaffected. Nor is one whose provider vouches
 * now, at this login, for that very address: the mailbox is the provider account signing in
 * (identities linked before the provider's word was recorded).
 */
export function outrankedLink(link: FederatedLink, profile: FederatedProfile): boolean {
  if (link.emailVerified || !link.accountEmailVerified || link.email === null) return false;
  const linked = normaliseEmail(link.email);
  if (linked === undefined || linked !== link.account.email) return false;
  const vouchedNow =
    profile.emailVerified === true && profile.email !== undefined && normaliseEmail(profile.email) === linked;
  return !vouchedNow;
}

export function createFederatedSignIn(deps: {
  accounts: Pick<ContactAccountStore, 'findByEmail' | 'findByPhone'>;
  identities: FederatedIdentityStore;
  events?: IdentityEvents;
}): FederatedSignIn {
  const { accounts, identities } = deps;
  // Document 002's provider routes are the only federated sign-in: profile `authorization`.
  const events = deps.events ?? NO_IDENTITY_EVENTS;

  async function register(profile: FederatedProfile): Promise<AccountView> {
    if (await identities.accountOf(profile.provider, profile.subject)) throw federatedIdentityExists();
    const account = federatedAccount(profile);
    // Checked first for a clear answer; the unique indexes still decide a race (createAccount).
    if (account.email !== undefined && (await accounts.findByEmail(account.email))) throw emailTaken();
    if (account.phone !== undefined && (await accounts.findByPhone(account.phone))) throw phoneTaken();
    const view = accountView(await identities.createAccount(account));
    const { provider } = profile;
    events.registered({ accountId: view.id, profile: 'authorization', method: 'federated', provider });
    events.federatedLinked({ accountId: view.id, provider });
    return view;
  }

  async function login(profile: FederatedProfile): Promise<AccountView> {
    const { provider } = profile;
    const link = await identities.linkOf(provider, profile.subject);
    const how = { profile: 'authorization', method: 'federated', provider } as const;
    if (!link) {
      events.loginFailed({ ...how, reason: 'unknown_identity' });
      throw federatedIdentityUnknown();
    }
    const { account } = link;
    if (outrankedLink(link, profile)) {
      // Answered as an identity nobody registered: document 002 has no code for "registered but
      // not verified", so its not-found answer (404). The event names the account for trusted
      // subscribers, which tells the two apart (docs/events.md: accountId when one was named).
      events.loginFailed({ ...how, reason: 'unknown_identity', accountId: account.id });
      throw federatedIdentityUnknown();
    }
    events.loginSucceeded({ ...how, accountId: account.id });
    return accountView(account);
  }

  return {
    signIn: ({ mode, profile }) => (mode === 'register' ? register(profile) : login(profile)),
  };
}
