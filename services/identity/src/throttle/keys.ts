import { createHash } from 'node:crypto';
import { ipBucket } from '@propusk/kit';

/**
 * Counter keys of login throttling (Redis adds the namespace prefix). What is throttled is an
 * account: its id once the login names one, else the login string (so unknown names are
 * throttled alike). It is hashed: a login may be an e-mail address or a phone number, which do
 * not belong in Redis key listings. An account's keys share one hash tag, so the scripts that
 * read them together run on one Redis Cluster slot.
 */
function accountTag(account: string): string {
  return `{${createHash('sha256').update(account).digest('base64url')}}`;
}

/** Failed logins of one account from one client address (IPv6 per /64): the first budget. */
export function pairCounterKey(account: string, ip: string | undefined): string {
  return `throttle:login:${accountTag(account)}:ip:${ip ? ipBucket(ip) : 'none'}`;
}

/** Failed logins of one account from every address: past a threshold, delays begin. */
export function accountCounterKey(account: string): string {
  return `throttle:login:${accountTag(account)}:failures`;
}

/** The wait an address must keep before its next attempt on the account (progressive delay). */
export function delayKey(account: string, ip: string | undefined): string {
  return `throttle:login:${accountTag(account)}:delay:${ip ? ipBucket(ip) : 'none'}`;
}

/** The addresses the account signed in from lately: they are never delayed. */
export function knownAddressesKey(account: string): string {
  return `throttle:login:${accountTag(account)}:known`;
}

/** Failed logins from one client address, across accounts (password spraying). */
export function ipCounterKey(ip: string): string {
  return `throttle:login:ip:${ipBucket(ip)}`;
}

export { ipBucket };
