import { ipBucket } from '@propusk/kit';
import type { CodePurpose } from '@propusk/contracts';

/**
 * Key names of codes and their counters (kit's Redis client adds the namespace prefix).
 * Subjects and destinations appear only as the code service's HMAC ids.
 */

/** A purpose + subject: the place one live code at most occupies. */
export interface CodeSlot {
  readonly purpose: CodePurpose;
  readonly subjectId: string;
}

export const codeKey = (s: CodeSlot) => `code:live:${s.purpose}:${s.subjectId}`;
/** Wrong tries against the slot, kept across resends until the last code of the slot expires. */
export const attemptsKey = (s: CodeSlot) => `code:attempts:${s.purpose}:${s.subjectId}`;
export const cooldownKey = (s: CodeSlot) => `code:cooldown:${s.purpose}:${s.subjectId}`;
/** Code-only purposes: lookup digest → subject. */
export const indexKey = (purpose: CodePurpose, lookup: string) => `code:index:${purpose}:${lookup}`;

export const sentToKey = (destinationId: string) => `code:sent:to:${destinationId}`;
export const sentFromIpKey = (ip: string) => `code:sent:ip:${ipBucket(ip)}`;
export const failedFromIpKey = (ip: string) => `code:failed:ip:${ipBucket(ip)}`;
export const failedForPurposeKey = (purpose: CodePurpose) => `code:failed:purpose:${purpose}`;
