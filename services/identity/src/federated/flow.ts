import type { AccountView, FederatedProfile, identityOps, RpcRequest } from '@propusk/contracts';
import { normaliseEmail, normaliseRussianMobile } from '../accounts/contacts.js';
import { emailTaken, phoneTaken } from '../accounts/errors.js';
import type { ContactAccountStore } from '../accounts/store.js';
import { accountView } from '../accounts/view.js';
import { NO_IDENTITY_EVENTS, type IdentityEvents } from '../events/port.js';
import { federatedIdentityExists, federatedIdentityUnknown } from './errors.js';
import type { FederatedIdentityStore, NewFederatedAccount } from './store.js';

export type FederatedSignInRequest = RpcRequest<typeof identityOps.federatedSignIn>;

export interface FederatedSignIn {
  /**
   * Contract identity.federatedSignIn (document 002 `/{provider}/registration` and `/login`).
   * The account key is (provider, subject): a matching e-mail alone never signs into an
   * existing account, it refuses the registration instead (`email_taken`).
   */
  signIn(request: FederatedSignInRequest): Promise<AccountView>;
}

/**
 * The provider's contacts in the form accounts keep them: e-mail lower-cased when it is an
 * address, phone in E.164 when it is a Russian mobile number (DESIGN, 003: the one phone form
 * accounts hold); anything else is dropped rather than stored unchecked.
 */
export function federatedAccount(profile: FederatedProfile): NewFederatedAccount {
  return {
    provider: profile.provider,
    subject: profile.subject,
    email: profile.email === undefined ? undefined : normaliseEmail(profile.email),
    phone: profile.phone === undefined ? undefined : normaliseRussianMobile(profile.phone),
    name: profile.firstName,
    surname: profile.lastName,
    providerEmail: profile.email,
  };
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
    const account = await identities.accountOf(provider, profile.subject);
    const how = { profile: 'authorization', method: 'federated', provider } as const;
    if (!account) {
      events.loginFailed({ ...how, reason: 'unknown_identity' });
      throw federatedIdentityUnknown();
    }
    events.loginSucceeded({ ...how, accountId: account.id });
    return accountView(account);
  }

  return {
    signIn: ({ mode, profile }) => (mode === 'register' ? register(profile) : login(profile)),
  };
}
