import { requiredInProduction, type ConfigOf, type ConfigSpec } from '@propusk/kit';

/**
 * The verification service's own environment variables (beside kit's CORE_SETTINGS), read once
 * at start with kit's `loadConfig`; a bad value stops the start naming the variable.
 */
const HOUR_S = 3600;

export const VERIFICATION_SETTINGS = {
  CODE_HMAC_KEY: {
    kind: 'string',
    pattern: /^.{32,512}$/,
    secret: true,
    doc: 'key of the HMAC that codes are stored as (at least 32 characters); required in production',
  },
  ADMIN_CODE_TTL_S: {
    kind: 'int',
    min: 60,
    max: 24 * HOUR_S,
    default: 1800,
    doc: 'lifetime of an admin-registration code in seconds (document 000: 30 minutes)',
  },
  V2_CODE_TTL_S: {
    kind: 'int',
    min: 60,
    max: 24 * HOUR_S,
    default: 600,
    doc: 'lifetime of a v2 code (verification, login, recovery) in seconds (document 003: 10 minutes)',
  },
  CODE_RESEND_S: {
    kind: 'int',
    min: 0,
    max: HOUR_S,
    default: 60,
    doc: "seconds before a new code may be sent to the same subject (document 003's data.timeout)",
  },
  CODE_MAX_ATTEMPTS: {
    kind: 'int',
    min: 1,
    max: 10,
    default: 5,
    doc: 'wrong codes allowed per subject and purpose, across resends; at the limit the code is dead',
  },
  CODE_SENDS_PER_DESTINATION_PER_HOUR: {
    kind: 'int',
    min: 1,
    max: 1000,
    default: 10,
    doc: 'codes sent to one phone, e-mail address or Telegram chat in one hour',
  },
  CODE_SENDS_PER_IP_PER_HOUR: {
    kind: 'int',
    min: 1,
    max: 100_000,
    default: 30,
    doc: 'codes requested from one client IP (IPv6: per /64) in one hour',
  },
  CODE_CHECK_FAILURES_PER_IP: {
    kind: 'int',
    min: 1,
    max: 100_000,
    default: 10,
    doc: 'wrong codes allowed from one client IP in one check window',
  },
  CODE_LOOKUP_FAILURES_PER_PURPOSE: {
    kind: 'int',
    min: 1,
    max: 1_000_000,
    default: 200,
    // A cap on distributed guessing that an attacker can spend, so it does not stop the address
    // a live code was requested from (issue 15, OWASP ASVS 5.0 V6.3; codes/flow.ts checkCounters).
    doc:
      'wrong codes allowed per code-only purpose (admin-registration) from all clients in one check window; ' +
      'an address that requested a live code of the purpose is then held to its per-IP limit only',
  },
  CODE_CHECK_WINDOW_S: {
    kind: 'int',
    min: 1,
    max: 24 * HOUR_S,
    default: 900,
    doc: 'length in seconds of the wrong-code windows, from their first failure',
  },
  NOTIFY_PUBLISH_TIMEOUT_MS: {
    kind: 'int',
    min: 100,
    max: 60_000,
    default: 3000,
    // Below the callers' RPC_TIMEOUT_MS (5 s), so a caller hears `unavailable`, not `timeout`.
    doc: 'how long an issue waits for JetStream to acknowledge the message before answering unavailable',
  },
} as const satisfies ConfigSpec;

export type VerificationSettings = ConfigOf<typeof VERIFICATION_SETTINGS>;

/**
 * The development key: codes stay HMAC'd and single use, but anyone with the source could
 * test a stolen hash against the million codes. Never used when NODE_ENV is production.
 */
const DEVELOPMENT_HMAC_KEY = 'propusk-development-code-hmac-key-do-not-use-in-production';

export interface HmacKey {
  readonly key: string;
  /** True when the development default stands in for an unset CODE_HMAC_KEY (log a warning). */
  readonly development: boolean;
}

/** CODE_HMAC_KEY, or the development default outside production; production without it stops the start. */
export function resolveHmacKey(settings: VerificationSettings, nodeEnv: string): HmacKey {
  if (settings.CODE_HMAC_KEY) return { key: settings.CODE_HMAC_KEY, development: false };
  if (nodeEnv === 'production') throw requiredInProduction('CODE_HMAC_KEY');
  return { key: DEVELOPMENT_HMAC_KEY, development: true };
}
