// Pre-account hijacking through a provider e-mail (issue 15 item 1, document 002), in
// identity's federated domain (federated/flow.ts) with in-memory stores: the provider's word on
// the e-mail is kept on the account and its identity, and an identity whose e-mail nobody
// vouched for no longer enters the account once that e-mail was proven (Sudhodanan & Paverd,
// "Pre-hijacked accounts", 2022).
import t from 'tap';
import type { FederatedProfile } from '@propusk/contracts';
import type { IdentityEvents } from '../src/events/port.js';
import { NO_IDENTITY_EVENTS } from '../src/events/port.js';
import { createFederatedSignIn, federatedAccount, outrankedLink } from '../src/federated/flow.js';
import type { FederatedLink } from '../src/federated/store.js';
import {
  memoryAccountBase,
  memoryContactAccounts,
  memoryFederatedIdentities,
  type MemoryAccountBase,
} from './fixtures/authorization-fakes.js';

type Failed = Parameters<IdentityEvents['loginFailed']>[0];

function setup() {
  const base = memoryAccountBase();
  const failed: Failed[] = [];
  const signIn = createFederatedSignIn({
    accounts: memoryContactAccounts(base),
    identities: memoryFederatedIdentities(base),
    events: { ...NO_IDENTITY_EVENTS, loginFailed: (event) => failed.push(event) },
  });
  return { base, signIn, failed };
}

/** What a code to the account's e-mail does (document 003, v2/code-flow.ts prove). */
function proveEmail(base: MemoryAccountBase, accountId: string): void {
  const row = base.rows.find((r) => r.id === accountId);
  if (!row) throw new Error(`no account ${accountId}`);
  row.emailVerified = true;
}

// The attacker's Mail.ru account, opened with the victim's address (Mail.ru does not host it).
const attacker: FederatedProfile = {
  provider: 'mailru',
  subject: 'm-1',
  email: 'Victim-123@Example.org',
  emailVerified: false,
};
// An owner whose Mail.ru account IS his mailbox: Mail.ru vouches for it.
const owner: FederatedProfile = {
  provider: 'mailru',
  subject: 'm-2',
  email: 'Owner@Mail.ru',
  emailVerified: true,
};

t.test("registration keeps the provider's word on the e-mail, on the account and its identity", async (t) => {
  const { base, signIn } = setup();
  const victims = await signIn.signIn({ mode: 'register', profile: attacker });
  const owners = await signIn.signIn({ mode: 'register', profile: owner });
  t.equal(base.rows.find((r) => r.id === victims.id)?.emailVerified, false, 'an unvouched e-mail: unproven');
  t.same(base.identities.get('mailru:m-1'), {
    accountId: victims.id,
    email: 'Victim-123@Example.org',
    emailVerified: false,
  });
  t.equal(base.rows.find((r) => r.id === owners.id)?.emailVerified, true, 'a vouched e-mail: proven');
  t.same(base.identities.get('mailru:m-2'), {
    accountId: owners.id,
    email: 'Owner@Mail.ru',
    emailVerified: true,
  });
  // The word is on an address accounts can hold: a vouched non-address proves nothing.
  t.equal(federatedAccount({ ...owner, email: 'not-an-address' }).emailVerified, false);
  t.equal(federatedAccount({ ...owner, emailVerified: undefined }).emailVerified, false, 'absent: no word');
});

t.test(
  'an unvouched e-mail never enters an account that proved it since: answered as an unknown identity',
  async (t) => {
    const { base, signIn, failed } = setup();
    const unknown = await signIn
      .signIn({ mode: 'login', profile: { provider: 'mailru', subject: 'nobody' } })
      .catch((err: unknown) => err);
    const account = await signIn.signIn({ mode: 'register', profile: attacker });
    t.same(await signIn.signIn({ mode: 'login', profile: attacker }), account, 'unproven: it still enters');

    proveEmail(base, account.id);
    const refused = await signIn.signIn({ mode: 'login', profile: attacker }).catch((err: unknown) => err);
    t.match(refused, { code: 'federated_identity_unknown', status: 404 });
    t.same(
      [(refused as Error).message, (refused as { code: string }).code],
      [(unknown as Error).message, (unknown as { code: string }).code],
      'the same refusal as for a provider account nobody registered',
    );
    t.same(failed.at(-1), {
      profile: 'authorization',
      method: 'federated',
      provider: 'mailru',
      reason: 'unknown_identity',
      accountId: account.id,
    });
    // A claim of the provider's word at login for another address changes nothing.
    const other = { ...attacker, email: 'attacker@mail.ru', emailVerified: true };
    await t.rejects(signIn.signIn({ mode: 'login', profile: other }), { code: 'federated_identity_unknown' });
  },
);

t.test('unaffected: a vouched e-mail, no e-mail, or an e-mail the account does not hold', async (t) => {
  const { base, signIn } = setup();
  const owners = await signIn.signIn({ mode: 'register', profile: owner });
  proveEmail(base, owners.id);
  t.same(await signIn.signIn({ mode: 'login', profile: owner }), owners, 'vouched by the provider');

  const bare = await signIn.signIn({ mode: 'register', profile: { provider: 'vk', subject: 'v-1' } });
  proveEmail(base, bare.id);
  t.same(await signIn.signIn({ mode: 'login', profile: { provider: 'vk', subject: 'v-1' } }), bare, 'none');

  // An address accounts cannot hold is kept only with the identity: the account has no e-mail.
  const odd = { provider: 'yandex', subject: 'y-1', email: 'not-an-address' } as const;
  const oddAccount = await signIn.signIn({ mode: 'register', profile: odd });
  proveEmail(base, oddAccount.id);
  t.same(await signIn.signIn({ mode: 'login', profile: odd }), oddAccount, 'not the account e-mail');
});

t.test("outrankedLink: only an unvouched identity e-mail that is the account's proven one", async (t) => {
  const link = (over: Partial<FederatedLink> = {}): FederatedLink => ({
    account: {
      id: 'a',
      username: null,
      email: 'victim@example.org',
      phone: null,
      roles: [],
      passwordHash: null,
    },
    accountEmailVerified: true,
    email: 'Victim@Example.ORG',
    emailVerified: false,
    ...over,
  });
  const login: FederatedProfile = { provider: 'mailru', subject: 'm-1' };
  t.equal(outrankedLink(link(), login), true, 'the same address, case aside: refused');
  t.equal(outrankedLink(link({ emailVerified: true }), login), false, 'vouched at linking');
  t.equal(outrankedLink(link({ accountEmailVerified: false }), login), false, 'nobody proved it');
  t.equal(outrankedLink(link({ email: null }), login), false, 'no e-mail');
  t.equal(outrankedLink(link({ email: 'other@example.org' }), login), false, 'another address');
  const account = { ...link().account, email: null };
  t.equal(outrankedLink(link({ account }), login), false, 'an account without an e-mail');
  // Linked before the provider's word was recorded: its word now, for that very address, counts.
  const vouchedNow = { ...login, email: 'victim@example.org', emailVerified: true };
  t.equal(outrankedLink(link(), vouchedNow), false, 'the provider vouches now for that address');
  t.equal(outrankedLink(link(), { ...vouchedNow, email: 'else@mail.ru' }), true, 'for another one: no');
  t.equal(outrankedLink(link(), { ...vouchedNow, emailVerified: false }), true, 'without its word: no');
});
