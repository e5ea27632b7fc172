import type { ConfigSpec } from '@propusk/kit';

/**
 * The identity service's own environment variables (beside kit's CORE_SETTINGS), read once at
 * start. Login throttling (DESIGN, "Security baseline": per account and per IP, failing closed):
 * failed logins are counted in a window that opens at the first failure. The account ceiling is
 * capped at 50 so the throttle always holds well before 100 guesses, whatever the deployment sets.
 */
export const IDENTITY_SETTINGS = {
  LOGIN_MAX_FAILURES_PER_ACCOUNT: {
    kind: 'int',
    min: 1,
    max: 50,
    default: 10,
    doc: 'failed logins allowed per login name in one window; the next attempt is refused (429)',
  },
  LOGIN_MAX_FAILURES_PER_IP: {
    kind: 'int',
    min: 1,
    max: 100_000,
    default: 50,
    doc: 'failed logins allowed per client IP (IPv6: per /64) in one window, across login names',
  },
  LOGIN_FAILURE_WINDOW_S: {
    kind: 'int',
    min: 1,
    max: 86_400,
    default: 900,
    doc: 'length in seconds of the failed-login window, from its first failure',
  },
} as const satisfies ConfigSpec;
