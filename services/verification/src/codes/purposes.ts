import type { CodePurpose } from '@propusk/contracts';
import type { VerificationSettings } from '../settings.js';

/**
 * How a purpose's code is found at check time: by the subject the caller names, or by the code
 * alone (document 000: registration step two sends only `{code}`).
 */
export type CodeLookup = 'subject' | 'code';

export interface PurposePolicy {
  /** Seconds a code lives. */
  readonly ttlS: number;
  readonly lookup: CodeLookup;
}

export type PurposePolicies = Readonly<Record<CodePurpose, PurposePolicy>>;

/** How a purpose's code is found: by the code alone only for document 000's registration. */
export function lookupOf(purpose: CodePurpose): CodeLookup {
  return purpose === 'admin-registration' ? 'code' : 'subject';
}

/**
 * The policy of each purpose (contracts' verification.ts leaves it to this service):
 * document 000's admin registration code lives 30 minutes and is looked up by itself;
 * document 003's codes live 10 minutes and are checked with the e-mail or phone they went to.
 */
export function purposePolicies(settings: VerificationSettings): PurposePolicies {
  const v2 = (purpose: CodePurpose): PurposePolicy => ({
    ttlS: settings.V2_CODE_TTL_S,
    lookup: lookupOf(purpose),
  });
  return {
    'admin-registration': { ttlS: settings.ADMIN_CODE_TTL_S, lookup: lookupOf('admin-registration') },
    'v2-verification': v2('v2-verification'),
    'v2-login': v2('v2-login'),
    'v2-recovery': v2('v2-recovery'),
  };
}
