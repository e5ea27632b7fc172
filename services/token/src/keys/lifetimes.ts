import { ENVELOPE_TTL_S } from '../envelope/claims.js';
import { TOKEN_SETTINGS } from '../settings.js';

/**
 * How long a replaced signing key keeps verifying, derived from the longest lifetime a token
 * it signed can have. `authctl keys rotate` runs in its own process and never reads the token
 * service's settings, so the bound is each lifetime setting's *maximum*, not its current value:
 * whatever an operator configures, no token outlives the key that signed it.
 */
const DAY_S = 24 * 60 * 60;

/** RS256 signs envelope (document 001: 2 h, fixed) and v2 (V2_TOKEN_TTL_S) tokens. */
export const LONGEST_RS256_TOKEN_S = Math.max(ENVELOPE_TTL_S, TOKEN_SETTINGS.V2_TOKEN_TTL_S.max);

/** HS256 signs admin-telegram (document 000) and authorization (document 002) pairs. */
export const LONGEST_HS256_TOKEN_S = Math.max(
  TOKEN_SETTINGS.ADMIN_ACCESS_TTL_S.max,
  TOKEN_SETTINGS.ADMIN_REFRESH_TTL_S.max,
  TOKEN_SETTINGS.AUTHZ_ACCESS_TTL_S.max,
  TOKEN_SETTINGS.AUTHZ_REFRESH_TTL_S.max,
);

/**
 * How long after every replica holds a new key it starts signing (ring.ts): a gateway that
 * fetched the JWKS just before re-fetches it on the first unknown kid, at most once per 5 s
 * (gateway/src/auth/jwks.ts), as each ring re-reads the store at most once per 5 s on an
 * unknown HS256 kid.
 */
export const ACTIVATION_MARGIN_S = 10;

/**
 * After a rotation a replica keeps signing with the old key until the new one is older than
 * its activation delay (SIGNING_KEYS_REFRESH_S + ACTIVATION_MARGIN_S) at one of its reloads
 * (every SIGNING_KEYS_REFRESH_S): the last token the old key signs is that much younger.
 */
const SIGNING_LAG_S = 2 * TOKEN_SETTINGS.SIGNING_KEYS_REFRESH_S.max + ACTIVATION_MARGIN_S;

/**
 * The rotation's date comes from the operator's machine, verification runs on the replicas'
 * clocks (with CLOCK_SKEW_S leeway on `exp`): a day covers any sane difference between them.
 */
const MARGIN_S = DAY_S;

export function retireWindowMs(longestTokenS: number): number {
  return (longestTokenS + SIGNING_LAG_S + MARGIN_S) * 1000;
}
