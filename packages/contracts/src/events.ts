import { FormatRegistry, Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { ChannelIdSchema } from './notification.js';
import { PROFILES } from './profiles.js';
import type { ServiceName } from './services.js';
import { SessionRevokedEvent } from './token.js';
import { CodePurposeSchema } from './verification.js';
import { FederationProviderSchema } from './identity.js';

/**
 * Domain events (DESIGN: "Domain events are published as `auth.<entity>.<past-tense>` … so other
 * systems can subscribe"). Each is published to `eventSubject(ns, entity, verb)` on the JetStream
 * stream `streamName(ns, EVENTS_STREAM)` with the header `Nats-Msg-Id` set to its `id`, once the
 * effect it reports is committed. docs/events.md lists them; a test keeps the two in step.
 *
 * Data minimisation: an event names accounts by id and says how and why, never who in person.
 * No password, code, token, e-mail address or phone number is ever part of one; a subscriber
 * that needs contacts asks identity (identity.getAccount) with the account id.
 */

/** Base name (namespaced with `streamName`) of the stream every domain event is stored in. */
export const EVENTS_STREAM = 'AUTH_EVENTS';

/** ISO 8601 / RFC 3339 date-time with a zone (what `Date.prototype.toISOString` writes). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v));

/** Fields every event carries. */
export const EVENT_ENVELOPE = {
  /** uuid, unique per event: also its JetStream `Nats-Msg-Id`, so a re-publish is dropped as a duplicate. */
  id: Type.String({ format: 'uuid' }),
  /** When it happened, ISO 8601 in UTC. */
  at: Type.String({ format: 'date-time' }),
  /** The request id (header `x-request-id`) of the HTTP request that caused it, when there was one. */
  requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
} as const;

export const EVENT_ENVELOPE_FIELDS: readonly string[] = Object.keys(EVENT_ENVELOPE);

const AccountId = Type.String({ format: 'uuid' });
export const EventProfileSchema = Type.Union(PROFILES.map((p) => Type.Literal(p)));
const LoginBy = Type.Union([Type.Literal('username'), Type.Literal('email'), Type.Literal('phone')]);

/** How an account came to be. */
export const REGISTRATION_METHODS = ['password', 'telegram_code', 'federated'] as const;
/** What proved a login. */
export const LOGIN_METHODS = ['password', 'code', 'federated'] as const;
/**
 * Why a login failed. `unknown_user` and `wrong_password` tell apart what the client's answer
 * deliberately does not (the event goes to trusted subscribers, not to the client).
 */
export const LOGIN_FAILURE_REASONS = [
  'unknown_user',
  'wrong_password',
  /** The password was right but the profile does not admit the account (001 `/admin/` without the role). */
  'not_permitted',
  'throttled',
  'wrong_code',
  'unknown_identity',
] as const;
export const CODE_FAILURE_REASONS = ['invalid', 'attempts_limited'] as const;

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

/** One domain event: its subject parts, its schema, who publishes it and when. */
export interface DomainEventDef<S extends TSchema = TSchema> {
  readonly entity: string;
  readonly verb: string;
  /** `<entity>.<verb>`, the subject without `auth.` and the namespace. */
  readonly name: string;
  readonly schema: S;
  /** The schema's property names, envelope included. */
  readonly fields: readonly string[];
  readonly producer: ServiceName;
  /** When it is published (the "when" column of docs/events.md). */
  readonly description: string;
}

function defineEvent<P extends TProperties>(
  entity: string,
  verb: string,
  producer: ServiceName,
  description: string,
  properties: P,
) {
  const schema = Type.Object({ ...EVENT_ENVELOPE, ...properties }, { additionalProperties: false });
  const fields = Object.keys(schema.properties);
  return Object.freeze({ entity, verb, name: `${entity}.${verb}`, schema, fields, producer, description });
}

export const EVENTS = Object.freeze({
  userRegistered: defineEvent(
    'user',
    'registered',
    'identity',
    'an account was created: admin-telegram registration (code by Telegram), authorization and v2 registration, federated registration',
    {
      accountId: AccountId,
      profile: EventProfileSchema,
      method: literals(REGISTRATION_METHODS),
      provider: Type.Optional(FederationProviderSchema),
    },
  ),
  federatedLinked: defineEvent(
    'federated',
    'linked',
    'identity',
    "a provider's identity (VK ID, Yandex, Mail.ru) was bound to an account",
    { accountId: AccountId, provider: FederationProviderSchema },
  ),
  loginSucceeded: defineEvent(
    'login',
    'succeeded',
    'identity',
    'the credentials were right and the profile admits the account (password, code or provider); the tokens follow as session.created',
    {
      accountId: AccountId,
      /** Absent when a NATS caller checked a password with no profile (identity.verifyPassword). */
      profile: Type.Optional(EventProfileSchema),
      method: literals(LOGIN_METHODS),
      by: Type.Optional(LoginBy),
      provider: Type.Optional(FederationProviderSchema),
    },
  ),
  loginFailed: defineEvent(
    'login',
    'failed',
    'identity',
    'a login was refused for its credentials or by the throttle (not for an outage)',
    {
      /** Present when the login named an existing account. */
      accountId: Type.Optional(AccountId),
      profile: Type.Optional(EventProfileSchema),
      method: literals(LOGIN_METHODS),
      by: Type.Optional(LoginBy),
      provider: Type.Optional(FederationProviderSchema),
      reason: literals(LOGIN_FAILURE_REASONS),
    },
  ),
  passwordChanged: defineEvent(
    'password',
    'changed',
    'identity',
    "an account's password was replaced (v2 recovery); its other sessions are revoked",
    { accountId: AccountId, profile: EventProfileSchema, method: Type.Literal('recovery') },
  ),
  codeIssued: defineEvent(
    'code',
    'issued',
    'verification',
    'a one-time code was stored and its message durably queued for the notification service',
    { purpose: CodePurposeSchema, channel: ChannelIdSchema },
  ),
  codeVerified: defineEvent('code', 'verified', 'verification', 'a right code was entered and used up', {
    purpose: CodePurposeSchema,
  }),
  codeFailed: defineEvent(
    'code',
    'failed',
    'verification',
    'a code check was refused: wrong, expired or used code, or too many wrong tries',
    { purpose: CodePurposeSchema, reason: literals(CODE_FAILURE_REASONS) },
  ),
  codeSent: defineEvent(
    'code',
    'sent',
    'notification',
    "a code's message was accepted by its provider (Telegram, Twilio, SMTP, or the dev outbox)",
    {
      /** The notification's id (its Nats-Msg-Id on the notify stream). */
      notificationId: Type.String({ format: 'uuid' }),
      purpose: CodePurposeSchema,
      channel: ChannelIdSchema,
    },
  ),
  sessionCreated: defineEvent(
    'session',
    'created',
    'token',
    'tokens were issued for a new session (every login and registration of every profile)',
    {
      accountId: AccountId,
      profile: EventProfileSchema,
      /**
       * What revokes it: the tokenId of a drf, envelope or v2 token, the family id of an
       * admin-telegram refresh family, the session uuid of an authorization pair.
       */
      sessionId: Type.String({ minLength: 1, maxLength: 128 }),
      /** Seconds since the epoch when it ends by itself. */
      exp: Type.Integer(),
    },
  ),
  /** Also what gateways listen to (core NATS) to drop cached validations: SessionRevokedEvent's fields. */
  sessionRevoked: defineEvent(
    'session',
    'revoked',
    'token',
    'a token was revoked: logout, signout, RFC 7009 revocation, refresh rotation or reuse, revocation of all sessions',
    { ...SessionRevokedEvent.properties },
  ),
  refreshReused: defineEvent(
    'refresh',
    'reused',
    'token',
    'a used refresh token was presented again; its whole family was revoked (RFC 9700 §4.14.2)',
    {
      profile: EventProfileSchema,
      /** contracts' tokenId of the reused refresh token (a digest, not the token). */
      tokenId: Type.String({ minLength: 1, maxLength: 128 }),
    },
  ),
});

export type EventName = keyof typeof EVENTS;
export type DomainEvent<D extends DomainEventDef> = Static<D['schema']>;
/** What a producer fills in; the publisher adds `id` and `at` (and `requestId` from the request in progress). */
export type EventFields<D extends DomainEventDef> = Omit<DomainEvent<D>, 'id' | 'at'>;

/** Every domain event, in the order docs/events.md lists them. */
export const DOMAIN_EVENTS: readonly DomainEventDef[] = Object.values(EVENTS);
