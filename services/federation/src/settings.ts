import { OAUTH_SETTINGS, type ConfigOf, type ConfigSpec } from '@propusk/kit';

/**
 * The federation service's environment variables (beside kit's CORE_SETTINGS, which gives
 * PUBLIC_BASE_URL): the providers' client credentials and base URLs from DESIGN's table
 * (kit's OAUTH_SETTINGS), plus how long a link's state and a callback's code binding live and
 * how long a provider may take to answer.
 */
export const FEDERATION_SETTINGS = {
  ...OAUTH_SETTINGS,
  OAUTH_STATE_TTL_S: {
    kind: 'int',
    min: 30,
    max: 3600,
    default: 600,
    doc: 'seconds a /{provider}/link state (and its PKCE verifier) stays usable at the callback',
  },
  OAUTH_CODE_TTL_S: {
    kind: 'int',
    min: 30,
    max: 3600,
    default: 600,
    doc: 'seconds a code received at the callback stays redeemable at /{provider}/get/token',
  },
  OAUTH_HTTP_TIMEOUT_MS: {
    kind: 'int',
    min: 50,
    max: 60_000,
    default: 5000,
    doc: 'deadline of one call to a provider (token exchange, user info); past it the answer is 502',
  },
} as const satisfies ConfigSpec;

export type FederationSettings = ConfigOf<typeof FEDERATION_SETTINGS>;
