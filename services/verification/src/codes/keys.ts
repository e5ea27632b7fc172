import { isIP } from 'node:net';
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

/**
 * The address a per-IP counter is kept for. IPv4-mapped IPv6 is its IPv4 address; other IPv6
 * addresses count per /64, the smallest block a subscriber usually gets (RFC 6177), so one
 * network cannot rotate through its addresses to dodge a limit. (Same rule as identity's
 * login throttle, services/identity/src/throttle/keys.ts.)
 */
export function ipBucket(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address, without leading zeros (a zone id is dropped). */
function expandIpv6(ip: string): string[] {
  const address = ip.split('%')[0] as string;
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  // An embedded IPv4 tail (::1.2.3.4) takes two hextets.
  const last = right.at(-1) ?? left.at(-1);
  const v4Hextets = last?.includes('.') ? 1 : 0;
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length - v4Hextets).fill('0');
  return [...left, ...fill, ...right].map((h) => (h.includes('.') ? h : (parseInt(h, 16) || 0).toString(16)));
}
