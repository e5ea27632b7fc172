import { Type, type Static } from '@sinclair/typebox';
import { defineRpc } from './rpc.js';
import { RoleSchema } from './identity.js';

/**
 * v2 (document 003) access tokens as the token service writes them and the gateway checks them.
 * RFC 9068 §2.1: the header type that marks a JWT access token; §3: the audience, the resource
 * the token is for (this suite's v2 API).
 */
export const V2_TYP = 'at+jwt';
export const V2_AUDIENCE = 'propusk:v2';

const ProfileSchema = Type.Union([
  Type.Literal('admin-telegram'),
  Type.Literal('envelope'),
  Type.Literal('authorization'),
  Type.Literal('v2'),
  Type.Literal('drf'),
]);

const Subject = Type.Object({
  accountId: Type.String({ format: 'uuid' }),
  username: Type.String({ minLength: 1 }),
  roles: Type.Array(RoleSchema),
});

/** drf (document 004): an opaque 40-hex token, stored hashed, one per login, revocable. */
export const issueDrf = defineRpc(
  'token',
  'issueDrf',
  Subject,
  Type.Object({ token: Type.String({ pattern: '^[0-9a-f]{40}$' }) }),
);

/**
 * envelope (document 001): RS256 JWT, 2 h, claims exactly iss, username, admin, iat, exp (kid in
 * the header; no jti: the token's id is `tokenId(token)`). `expiresAt` is the `exp` claim, in seconds.
 */
export const issueEnvelope = defineRpc(
  'token',
  'issueEnvelope',
  Subject,
  Type.Object({ token: Type.String(), expiresAt: Type.Integer() }),
);

/**
 * RFC 7662 introspection: `active` false for anything unknown, expired, revoked or malformed;
 * when active, the standard members plus the profile and kind of the token. Whatever the
 * profile, `sub` is the account id and `username` the name the account signed in with;
 * `token_type` is `access_token` or `refresh_token` (services/token: token-type.ts says why).
 */
export const IntrospectionResult = Type.Object({
  active: Type.Boolean(),
  sub: Type.Optional(Type.String()),
  username: Type.Optional(Type.String()),
  profile: Type.Optional(ProfileSchema),
  token_type: Type.Optional(Type.Union([Type.Literal('access_token'), Type.Literal('refresh_token')])),
  roles: Type.Optional(Type.Array(RoleSchema)),
  jti: Type.Optional(Type.String()),
  iat: Type.Optional(Type.Integer()),
  exp: Type.Optional(Type.Integer()),
  iss: Type.Optional(Type.String()),
});
export type IntrospectionResult = Static<typeof IntrospectionResult>;

export const introspect = defineRpc(
  'token',
  'introspect',
  Type.Object({ token: Type.String({ minLength: 1, maxLength: 8192 }) }, { additionalProperties: false }),
  IntrospectionResult,
);

/** RFC 7009 revocation: revoking an unknown or invalid token is not an error (`revoked` false). */
export const revoke = defineRpc(
  'token',
  'revoke',
  Type.Object({ token: Type.String({ minLength: 1, maxLength: 8192 }) }, { additionalProperties: false }),
  Type.Object({ revoked: Type.Boolean() }),
);

/** Public keys that verify tokens now (active and retiring), for local verification at the gateway. */
export const jwks = defineRpc(
  'token',
  'jwks',
  Type.Object({}, { additionalProperties: false }),
  Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }),
);

/**
 * `auth.session.revoked`: published (core NATS, and later JetStream) the moment a token is
 * revoked, so every gateway drops it from its caches at once; Redis keeps the record.
 */
export const SessionRevokedEvent = Type.Object({
  jti: Type.String(),
  profile: ProfileSchema,
  /** Seconds since the epoch when the token would have expired anyway. */
  exp: Type.Integer(),
});
export type SessionRevokedEvent = Static<typeof SessionRevokedEvent>;

/**
 * admin-telegram (document 000): an HS256 pair. Access (15 min) carries exactly
 * `access_uuid, authorized, chat_id, exp, username`; refresh (7 days) exactly
 * `chat_id, exp, refresh_uuid, username`. The pair starts a refresh family.
 */
export const AdminTelegramPair = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
});
export type AdminTelegramPair = Static<typeof AdminTelegramPair>;

export const issueAdminTelegram = defineRpc(
  'token',
  'issueAdminTelegram',
  Type.Object({
    accountId: Type.String({ format: 'uuid' }),
    username: Type.String({ minLength: 1 }),
    roles: Type.Array(RoleSchema),
    chatId: Type.Integer(),
  }),
  AdminTelegramPair,
);

/**
 * Refresh rotation: the presented refresh token dies and a new pair of the same family is
 * answered. A refresh token used again (reuse) revokes the whole family and answers
 * `refresh_reused` (401); anything else wrong is `invalid_token` (401).
 */
export const refreshAdminTelegram = defineRpc(
  'token',
  'refreshAdminTelegram',
  Type.Object(
    { refresh_token: Type.String({ minLength: 1, maxLength: 8192 }) },
    { additionalProperties: false },
  ),
  AdminTelegramPair,
);

/**
 * v2 (document 003): an asymmetric JWT (RS256 with `kid`, verifiable through JWKS), header
 * `typ: at+jwt` (RFC 9068 §2.1: explicit typing keeps it apart from document 001's tokens),
 * claims `iss, sub (account id), aud ('propusk:v2'), jti, iat, exp`. One token per sign-in,
 * revocable (signout).
 */
export const issueV2 = defineRpc(
  'token',
  'issueV2',
  Subject,
  Type.Object({ token: Type.String(), expiresAt: Type.Integer() }),
);

/**
 * Revokes every live session of an account (every profile's tokens the token service issued
 * for it) except the one named by `keepTokenId` (the caller's own, after a password change).
 */
export const revokeAccountSessions = defineRpc(
  'token',
  'revokeAccountSessions',
  Type.Object(
    {
      accountId: Type.String({ format: 'uuid' }),
      keepTokenId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    },
    { additionalProperties: false },
  ),
  Type.Object({ revoked: Type.Integer({ minimum: 0 }) }),
);

/**
 * authorization (document 002): an HS256 pair with exactly the claims `user_name, header {alg,
 * typ, uuid}, exp, mode` (`access_token` / `refresh_token`); `user_name` is the account's e-mail
 * (else its phone, else the provider subject as `<provider>:<id>`).
 */
export const issueAuthorization = defineRpc(
  'token',
  'issueAuthorization',
  Type.Object({
    accountId: Type.String({ format: 'uuid' }),
    userName: Type.String({ minLength: 1 }),
    roles: Type.Array(RoleSchema),
  }),
  Type.Object({ access: Type.String(), refresh: Type.String() }),
);
