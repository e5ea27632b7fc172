import type { IncomingHttpHeaders } from 'node:http';
import { IDENTITY_HEADERS, PROFILES, decodeIdentityHeader, tokenId, type Profile } from '@propusk/contracts';
import { isRole, type Role } from '../shared/subject.js';

/**
 * The identity the gateway verified before proxying (contracts: IDENTITY_HEADERS). The gateway
 * strips clients' copies, so these are trusted; the Authorization header is never read here.
 */
export interface VerifiedIdentity {
  subject: string;
  username: string;
  profile: Profile;
  tokenId: string;
  roles: Role[];
  /** The raw token, for operations that act on it (logout revokes exactly this token). */
  token: string;
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isProfile(value: string): value is Profile {
  return (PROFILES as readonly string[]).includes(value);
}

/** Which token the gateway verified, without the account it speaks for. */
export type VerifiedTokenRef = Pick<VerifiedIdentity, 'profile' | 'tokenId' | 'token'>;

/**
 * The verified token alone, for routes that act on the token and verify it again themselves
 * (v2 signout): profile, token and a matching token id, whatever the other headers hold.
 */
export function verifiedToken(headers: IncomingHttpHeaders): VerifiedTokenRef | undefined {
  const profile = single(headers, IDENTITY_HEADERS.profile);
  const id = single(headers, IDENTITY_HEADERS.tokenId);
  const token = single(headers, IDENTITY_HEADERS.token);
  if (!profile || !id || !token || !isProfile(profile)) return undefined;
  // The id names exactly this token; a mismatch means the headers were not set together.
  return tokenId(token) === id ? { profile, tokenId: id, token } : undefined;
}

/** Answers the verified identity, or undefined when any part is missing or inconsistent. */
export function verifiedIdentity(headers: IncomingHttpHeaders): VerifiedIdentity | undefined {
  const subject = decodeIdentityHeader(single(headers, IDENTITY_HEADERS.subject));
  const username = decodeIdentityHeader(single(headers, IDENTITY_HEADERS.username));
  const profile = single(headers, IDENTITY_HEADERS.profile);
  const id = single(headers, IDENTITY_HEADERS.tokenId);
  const token = single(headers, IDENTITY_HEADERS.token);
  if (!subject || !username || !profile || !id || !token || !isProfile(profile)) return undefined;
  // The id names exactly this token; a mismatch means the headers were not set together.
  if (tokenId(token) !== id) return undefined;
  const roles = (single(headers, IDENTITY_HEADERS.roles) ?? '')
    .split(',')
    .map((r) => decodeIdentityHeader(r.trim()))
    .filter(isRole);
  return { subject, username, profile, tokenId: id, roles, token };
}
