import { ConfigError, type ConfigOf, type ConfigSpec } from '@propusk/kit';
import { parseMasterKeys } from './keys/seal.js';
import { weakSecretReason } from './oauth-clients/secret-strength.js';
import type { ClientAuthLimits } from './oauth-clients/throttle.js';

/**
 * The token service's own environment variables (the core ones come from kit's CORE_SETTINGS).
 * Read once at start with kit's `loadConfig`; a bad value stops the start naming the variable.
 */
const DAY_S = 24 * 60 * 60;

/** A redirect target: a path on the front end, or an absolute http(s) URL. */
const REDIRECT = /^(\/[^\s]*|https?:\/\/[^\s]+)$/;

/** One `id:secret` of INTROSPECTION_CLIENTS (RFC 3986 §2.3 unreserved characters). */
const CLIENT = '[A-Za-z0-9._~-]{1,64}:[A-Za-z0-9._~-]{16,256}';
const CLIENT_LIST = new RegExp(`^${CLIENT}(,${CLIENT})*$`);

/** Refuses the first client whose secret holds under 128 bits (oauth-clients/secret-strength.ts). */
function checkClientSecrets(raw: string): void {
  for (const entry of raw.split(',')) {
    const colon = entry.indexOf(':');
    const reason = weakSecretReason(entry.slice(0, colon), entry.slice(colon + 1));
    if (reason) throw new Error(reason);
  }
}

export const TOKEN_SETTINGS = {
  ADMIN_ACCESS_TTL_S: {
    kind: 'int',
    min: 60,
    max: DAY_S,
    default: 15 * 60,
    doc: 'lifetime of an admin-telegram (document 000) access token in seconds; the document says 15 minutes',
  },
  ADMIN_REFRESH_TTL_S: {
    kind: 'int',
    min: 5 * 60,
    // keys/lifetimes.ts derives how long a replaced HS256 key keeps verifying from this maximum.
    max: 30 * DAY_S,
    default: 7 * DAY_S,
    doc: 'lifetime of an admin-telegram (document 000) refresh token in seconds; the document says 7 days',
  },
  REFRESH_REUSE_GRACE_MS: {
    kind: 'int',
    min: 0,
    max: 60_000,
    // Two refreshes of one client can cross (a retried request, two tabs): within this window
    // after a rotation the old token is refused without revoking the family (docs/SECURITY.md).
    default: 2000,
    doc: 'admin-telegram: a rotated refresh token presented again within this many ms (its successor unused) is refused without revoking the family; later, the family is revoked',
  },
  DRF_TOKEN_TTL_S: {
    kind: 'int',
    min: 60,
    max: 365 * DAY_S,
    default: 30 * DAY_S,
    // Document 004 gives drf tokens no lifetime (DRF's own authtoken never expires); an
    // opaque bearer token that lives forever is a standing risk, so it expires after 30 days.
    doc: 'lifetime of a drf (document 004) opaque token in seconds; default 30 days',
  },
  ENVELOPE_ISSUER: {
    kind: 'string',
    pattern: /^[\x21-\x7e]{1,256}$/,
    default: 'digeocache',
    doc: 'the `iss` claim of envelope (document 001) JWTs; the document shows `digeocache`',
  },
  ENVELOPE_LOGOUT_REDIRECT: {
    kind: 'string',
    pattern: REDIRECT,
    default: '/go/here/after/logout',
    doc: 'envelope logout: `data.redirect` after a successful logout',
  },
  ENVELOPE_LOGOUT_FAILED_REDIRECT: {
    kind: 'string',
    pattern: REDIRECT,
    default: '/go/here/after/failed/logout',
    doc: 'envelope logout: `data.redirect` when the logout failed (no valid token)',
  },
  V2_TOKEN_TTL_S: {
    kind: 'int',
    min: 60,
    // The longest RS256 lifetime: keys/lifetimes.ts derives from this maximum how long a
    // replaced RS256 key keeps verifying, so a v2 token never outlives the key that signed it.
    max: 6 * DAY_S,
    default: DAY_S,
    doc: 'lifetime of a v2 (document 003) access token in seconds; the document gives none, default 1 day',
  },
  V2_ISSUER: {
    kind: 'string',
    pattern: /^[\x21-\x7e]{1,256}$/,
    // No default here: unset means PUBLIC_BASE_URL (the issuer of the discovery document).
    doc: 'the `iss` claim of v2 (document 003) JWTs; default PUBLIC_BASE_URL',
  },
  AUTHZ_ACCESS_TTL_S: {
    kind: 'int',
    min: 60,
    max: DAY_S,
    default: 60 * 60,
    doc: 'lifetime of an authorization (document 002) access token in seconds; default 1 hour',
  },
  AUTHZ_REFRESH_TTL_S: {
    kind: 'int',
    min: 5 * 60,
    // keys/lifetimes.ts derives how long a replaced HS256 key keeps verifying from this maximum.
    max: 30 * DAY_S,
    // Document 002's example refresh token outlives its access token by 3 hours (exp 1739240994
    // against 1739230194): 1 h + 3 h.
    default: 4 * 60 * 60,
    doc: 'lifetime of an authorization (document 002) refresh token in seconds; default 4 hours',
  },
  SIGNING_KEYS_REFRESH_S: {
    kind: 'int',
    min: 1,
    max: 3600,
    default: 60,
    doc: 'how often the in-memory signing keys are re-read from Postgres (picks up `authctl keys rotate`)',
  },
  INTROSPECTION_CLIENTS: {
    kind: 'string',
    secret: true,
    // `id:secret[,id:secret…]`. Both in RFC 3986's unreserved characters, so the form-encoding
    // RFC 6749 §2.3.1 applies before HTTP Basic leaves them unchanged; secrets of at least 16
    // characters by the pattern, and of at least 128 bits by the check below.
    pattern: CLIENT_LIST,
    // RFC 6749 §10.10: generated client credentials at least 128 bits; weaker ones stop the start.
    check: checkClientSecrets,
    // No default: unset (or empty) means no caller is configured and both endpoints answer 401.
    doc: 'internal callers of POST /oauth2/introspect and /oauth2/revoke (HTTP Basic or client_secret_post): `id:secret[,id:secret…]`, each secret at least 128 bits (`openssl rand -hex 32`)',
  },
  // Online guessing of client secrets (oauth-clients/throttle.ts, docs/SECURITY.md): failures
  // per client id and address first, then a larger budget per client id from every address.
  CLIENT_AUTH_MAX_FAILURES_PER_ADDRESS: {
    kind: 'int',
    min: 1,
    max: 1000,
    default: 10,
    doc: '/oauth2/introspect and /oauth2/revoke: failed client authentications per client id from one address (IPv6 per /64) in a window; over it 429 with Retry-After',
  },
  CLIENT_AUTH_MAX_FAILURES_PER_CLIENT: {
    kind: 'int',
    min: 1,
    max: 100_000,
    // Ten addresses' worth: one noisy caller (a stale secret) cannot spend it alone.
    default: 100,
    doc: '/oauth2/introspect and /oauth2/revoke: failed client authentications per client id from all addresses in a window; over it the client id is refused (its right secret included) until the window ends; at least the per-address budget',
  },
  CLIENT_AUTH_FAILURE_WINDOW_S: {
    kind: 'int',
    min: 1,
    max: 24 * 60 * 60,
    default: 15 * 60,
    doc: 'the window of the client authentication budgets in seconds: it opens at the first failure; a locked client id or address waits until it ends',
  },
  KEYS_ENCRYPTION_KEY: {
    kind: 'string',
    secret: true,
    // `[id:]key[,[id:]key…]`, each key 32 bytes (hex or base64/base64url): the first seals the
    // signing keys' private parts, every one opens them (keys/seal.ts; `authctl keys reseal`).
    check: (raw) => void parseMasterKeys(raw),
    doc: 'AES-256-GCM master key(s) the private signing keys are sealed under in Postgres: `[id:]key[,[id:]key…]`, 32 bytes each as 64 hex or base64; the first seals, all open; required in production',
  },
} as const satisfies ConfigSpec;

/**
 * The client authentication budgets, checked together once at start: the budget of a client id
 * from every address cannot be smaller than that of one address (throttle.ts counts both).
 */
export function clientAuthLimits(settings: ConfigOf<typeof TOKEN_SETTINGS>): ClientAuthLimits {
  const perAddress = settings.CLIENT_AUTH_MAX_FAILURES_PER_ADDRESS;
  const perClient = settings.CLIENT_AUTH_MAX_FAILURES_PER_CLIENT;
  if (perClient < perAddress)
    throw new ConfigError(
      'CLIENT_AUTH_MAX_FAILURES_PER_CLIENT',
      `must be at least CLIENT_AUTH_MAX_FAILURES_PER_ADDRESS (${perAddress})`,
    );
  return { perAddress, perClient, windowS: settings.CLIENT_AUTH_FAILURE_WINDOW_S };
}
