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
    doc: 'failed logins allowed per account from one client address (IPv6: per /64) in one window, whatever form of login named the account; the next attempt from that address is refused (429), other addresses are not',
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
  // Progressive delays (issue 15, OWASP ASVS 5.0 V6.3): past this many failures of an account
  // from all addresses in one window, each further failure from an address the account has not
  // signed in from makes that address wait 1 s, 2 s, 4 s … before its next attempt.
  LOGIN_FAILURES_BEFORE_DELAY: {
    kind: 'int',
    min: 1,
    max: 100_000,
    default: 20,
    doc: 'failed logins of one account (from every address) in one window after which failing addresses wait progressively longer; addresses the account signed in from never wait',
  },
  LOGIN_MAX_DELAY_S: {
    kind: 'int',
    min: 1,
    max: 3600,
    default: 60,
    doc: 'the longest progressive delay, in seconds',
  },
} as const satisfies ConfigSpec;
