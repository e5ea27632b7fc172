import { createHash } from 'node:crypto';
import { ipBucket } from '@propusk/kit';

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

export { ipBucket };
