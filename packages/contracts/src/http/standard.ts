import { Type, type Static } from '@sinclair/typebox';
import { IntrospectionResult } from '../token.js';

/**
 * The standard endpoints (DESIGN: "Beyond the documents"): OpenID Connect Discovery, the JWK
 * Set, RFC 7662 introspection and RFC 7009 revocation. Errors take RFC 6749 §5.2's shape.
 */

/**
 * The form of RFC 7662 §2.1 and RFC 7009 §2.1 (`application/x-www-form-urlencoded`): `token`
 * (REQUIRED) and `token_type_hint` (OPTIONAL, accepted and not needed), and the client's
 * credentials when it authenticates by `client_secret_post` (RFC 6749 §2.3.1) instead of HTTP
 * Basic — never both. Other parameters are ignored; a parameter given twice is refused before
 * this schema is consulted (RFC 6749 §3.2).
 */
export const TokenForm = Type.Object({
  token: Type.String({ minLength: 1 }),
  token_type_hint: Type.Optional(Type.String({ description: 'access_token or refresh_token; not needed' })),
  client_id: Type.Optional(
    Type.String({ description: 'client_secret_post: the client id (not with HTTP Basic)' }),
  ),
  client_secret: Type.Optional(
    Type.String({ description: 'client_secret_post: the client secret (not with HTTP Basic)' }),
  ),
});
export type TokenForm = Static<typeof TokenForm>;

/** RFC 7662 §2.2: `active` and, for an active token, its members. The NATS reply's schema. */
export const Introspection = IntrospectionResult;
export type Introspection = Static<typeof Introspection>;

/** The RFC 6749 §5.2 error codes these endpoints answer (RFC 7662 §2.3, RFC 7009 §2.2.1). */
export const OAuthErrorCode = Type.Union([
  Type.Literal('invalid_request'),
  Type.Literal('invalid_client'),
  Type.Literal('temporarily_unavailable'),
  Type.Literal('server_error'),
]);
export type OAuthErrorCode = Static<typeof OAuthErrorCode>;

/** RFC 6749 §5.2. The gateway's own answers on these routes take the same shape. */
export const OAuthError = Type.Object(
  { error: Type.String(), error_description: Type.String() },
  { additionalProperties: false },
);
export type OAuthError = Static<typeof OAuthError>;

/** OpenID Connect Discovery 1.0 §3 with RFC 8414 §2's introspection and revocation members. */
export const DiscoveryDocument = Type.Object(
  {
    issuer: Type.String(),
    jwks_uri: Type.String(),
    introspection_endpoint: Type.String(),
    introspection_endpoint_auth_methods_supported: Type.Array(Type.String()),
    revocation_endpoint: Type.String(),
    revocation_endpoint_auth_methods_supported: Type.Array(Type.String()),
    response_types_supported: Type.Array(Type.String()),
    grant_types_supported: Type.Array(Type.String()),
    subject_types_supported: Type.Array(Type.String()),
    id_token_signing_alg_values_supported: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type DiscoveryDocument = Static<typeof DiscoveryDocument>;

/** RFC 7517 §5: `{"keys": [...]}`; each key an RS256 public key with `kid`, `alg` and `use: sig`. */
export const JwkSet = Type.Object(
  {
    keys: Type.Array(
      Type.Object({
        kty: Type.String(),
        kid: Type.String(),
        alg: Type.String(),
        use: Type.String(),
        n: Type.Optional(Type.String()),
        e: Type.Optional(Type.String()),
      }),
    ),
  },
  { additionalProperties: false },
);
export type JwkSet = Static<typeof JwkSet>;
