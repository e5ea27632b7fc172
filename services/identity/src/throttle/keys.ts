import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Counter keys of login throttling (Redis adds the namespace prefix). Login names are hashed:
 * they may be e-mail addresses or phone numbers, which do not belong in Redis key listings.
 */
export function accountCounterKey(login: string): string {
  return `throttle:login:account:${createHash('sha256').update(login).digest('base64url')}`;
}

export function ipCounterKey(ip: string): string {
  return `throttle:login:ip:${ipBucket(ip)}`;
}

/**
 * The address a per-IP counter is kept for. IPv4-mapped IPv6 is its IPv4 address; other IPv6
 * addresses count per /64, the smallest block a subscriber usually gets (RFC 6177), so an
 * attacker cannot rotate through the addresses of one network to dodge the limit.
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
