import { Type, type Static } from '@sinclair/typebox';
import { defineRpc } from './rpc.js';

export const RoleSchema = Type.Union([
  Type.Literal('superuser'),
  Type.Literal('staff'),
  Type.Literal('admin'),
]);

export const AccountView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(RoleSchema),
});
export type AccountView = Static<typeof AccountView>;

/**
 * Verifies a password (argon2id; a dummy verify for unknown logins). Failed attempts are
 * throttled per account and per IP: `too_many_attempts` (429, details.retryAfter seconds);
 * Redis down fails closed (`unavailable`). Wrong login or password: `invalid_credentials`.
 */
export const verifyPassword = defineRpc(
  'identity',
  'verifyPassword',
  Type.Object(
    {
      by: Type.Union([Type.Literal('username'), Type.Literal('email'), Type.Literal('phone')]),
      login: Type.String({ minLength: 1, maxLength: 320 }),
      password: Type.String({ minLength: 1, maxLength: 1024 }),
      ip: Type.Optional(Type.String({ maxLength: 64 })),
    },
    { additionalProperties: false },
  ),
  Type.Object({ account: AccountView }),
);

export const getAccount = defineRpc(
  'identity',
  'getAccount',
  Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
  Type.Object({ account: AccountView }),
);

/**
 * The Telegram bot saw `/start` from `username` in chat `chatId` (document 000: "иметь начатый
 * диалог с ботом"). Identity records the chat when the username is on the staff allowlist
 * (case-insensitive) and answers whether it was; the bot tells the user either way.
 */
export const recordTelegramChat = defineRpc(
  'identity',
  'recordTelegramChat',
  Type.Object(
    {
      username: Type.String({ minLength: 1, maxLength: 64 }),
      chatId: Type.Integer(),
    },
    { additionalProperties: false },
  ),
  Type.Object({ allowlisted: Type.Boolean() }),
);

export const FEDERATION_PROVIDERS = ['vk', 'yandex', 'mailru'] as const;
export type FederationProvider = (typeof FEDERATION_PROVIDERS)[number];
export const FederationProviderSchema = Type.Union(FEDERATION_PROVIDERS.map((p) => Type.Literal(p)));

/** What a provider's user info says about the person (already checked to be issued to our client). */
export const FederatedProfile = Type.Object({
  provider: FederationProviderSchema,
  /** The provider's stable user id. */
  subject: Type.String({ minLength: 1, maxLength: 128 }),
  email: Type.Optional(Type.String({ maxLength: 320 })),
  /**
   * True when the provider vouches for `email`: the address is a mailbox the provider itself
   * hosts, so its account is that mailbox (federation's providers decide). Absent or false: an
   * address the user typed at the provider, which proves nothing (issue 15, pre-account
   * hijacking): identity keeps it unverified and it never enters an account whose e-mail was
   * proven since.
   */
  emailVerified: Type.Optional(Type.Boolean()),
  /** E.164 when the provider gave a number libphonenumber-js accepts. */
  phone: Type.Optional(Type.String({ maxLength: 32 })),
  firstName: Type.Optional(Type.String({ maxLength: 200 })),
  lastName: Type.Optional(Type.String({ maxLength: 200 })),
});
export type FederatedProfile = Static<typeof FederatedProfile>;

/**
 * document 002 `/{provider}/registration` and `/{provider}/login`. The account key is
 * (provider, subject): a matching e-mail alone never signs into an existing account.
 * register: `federated_identity_exists` (409) when (provider, subject) is known already,
 * `email_taken` / `phone_taken` (409) when another account holds the provider's e-mail or phone;
 * login: `federated_identity_unknown` (404) when (provider, subject) has no account, and when
 * its e-mail, which the provider did not vouch for (`emailVerified`), is the account's e-mail
 * proven since (pre-account hijacking, issue 15: document 002 has no other code for it).
 */
export const federatedSignIn = defineRpc(
  'identity',
  'federatedSignIn',
  Type.Object(
    {
      mode: Type.Union([Type.Literal('register'), Type.Literal('login')]),
      profile: FederatedProfile,
    },
    { additionalProperties: false },
  ),
  Type.Object({ account: AccountView }),
);
