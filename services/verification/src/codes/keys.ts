import { ipBucket } from '@propusk/kit';
import type { CodePurpose } from '@propusk/contracts';
import { lookupOf } from './purposes.js';

/**
 * Key names of codes and their counters (kit's Redis client adds the namespace prefix).
 * Subjects and destinations appear only as the code service's HMAC ids.
 */

/** A purpose + subject: the place one live code at most occupies. */
export interface CodeSlot {
  readonly purpose: CodePurpose;
  readonly subjectId: string;
}

/**
 * The keys one script changes together share a hash tag, so a Redis Cluster keeps them in one
 * slot (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags):
 * a code, its wrong attempts and its resend cooldown are one slot's, tagged
 * `{code:<purpose>:<subject id>}`. A purpose found by the code alone (document 000) has one
 * more rule across all its codes: no two live codes share a lookup digest, kept by its lookup
 * index. So the whole purpose is one tag, `{code:<purpose>}`, its codes and its index together
 * (staff registrations: few and short-lived, one slot carries them easily).
 */
function scope(s: CodeSlot): string {
  return lookupOf(s.purpose) === 'code'
    ? `{code:${s.purpose}}:${s.subjectId}`
    : `{code:${s.purpose}:${s.subjectId}}`;
}

export const codeKey = (s: CodeSlot) => `code:live:${scope(s)}`;
/** Wrong tries against the slot, kept across resends until the last code of the slot expires. */
export const attemptsKey = (s: CodeSlot) => `code:attempts:${scope(s)}`;
export const cooldownKey = (s: CodeSlot) => `code:cooldown:${scope(s)}`;
/** Code-only purposes: lookup digest → subject. */
export const indexKey = (purpose: CodePurpose, lookup: string) => `code:index:{code:${purpose}}:${lookup}`;

/** Send and check counters: each counts one thing (a destination, an IP, a purpose), each its own slot. */
export const sentToKey = (destinationId: string) => `code:sent:to:${destinationId}`;
export const sentFromIpKey = (ip: string) => `code:sent:ip:${ipBucket(ip)}`;
export const failedFromIpKey = (ip: string) => `code:failed:ip:${ipBucket(ip)}`;
export const failedForPurposeKey = (purpose: CodePurpose) => `code:failed:purpose:${purpose}`;
/**
 * Code-only purposes: a client address (per /64 for IPv6, as the counters above) that requested
 * a code of the purpose, kept as long as that code lives. One key, changed alone: no hash tag.
 */
export const requesterKey = (purpose: CodePurpose, ip: string) => `code:requester:${purpose}:${ipBucket(ip)}`;
