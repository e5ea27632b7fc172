import { PropuskError } from '@propusk/contracts';
import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * Password policy (DESIGN, "Security baseline"): 8–128 characters of any kind, common
 * passwords refused. Length counts Unicode code points, not UTF-16 units, so a password of
 * emoji is measured as a person would count it (NIST SP 800-63B §5.1.1.2).
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

const COMMON = new Set(dictionary.passwords.map((p) => p.toLowerCase()));

export type PasswordProblem = 'too_short' | 'too_long' | 'common';

export function checkPassword(password: string): PasswordProblem | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return 'too_short';
  if (length > PASSWORD_MAX) return 'too_long';
  if (COMMON.has(password.toLowerCase())) return 'common';
  return undefined;
}

export const PASSWORD_PROBLEM_TEXT: Readonly<Record<PasswordProblem, string>> = {
  too_short: `password must be at least ${PASSWORD_MIN} characters`,
  too_long: `password must be at most ${PASSWORD_MAX} characters`,
  common: 'password is too common',
};

/** A password the policy refuses, as every flow that sets one answers it (profiles render it). */
export function passwordRejected(problem: PasswordProblem): PropuskError {
  return new PropuskError('password_rejected', PASSWORD_PROBLEM_TEXT[problem], { problem });
}
