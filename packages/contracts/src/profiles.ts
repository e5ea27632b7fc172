/** The five documented APIs the gateway serves (DESIGN: "Profiles"). */
export const PROFILES = ['admin-telegram', 'envelope', 'authorization', 'v2', 'drf'] as const;
export type Profile = (typeof PROFILES)[number];

/**
 * Headers the gateway sets on proxied requests after it verified the access token. A client's
 * own copies are stripped first, so a service may trust them. Values other than `token` are
 * percent-encoded (every byte outside 0x21–0x7E, and `%` itself) because HTTP header values
 * cannot carry non-ASCII text such as Cyrillic usernames; `decodeURIComponent` restores them.
 * `token` is sent as is; `roles` is a comma-separated list.
 */
export const IDENTITY_HEADERS = Object.freeze({
  subject: 'x-propusk-subject',
  username: 'x-propusk-username',
  profile: 'x-propusk-profile',
  tokenId: 'x-propusk-token-id',
  roles: 'x-propusk-roles',
  /** The raw token, for operations that act on it (logout revokes exactly this token). */
  token: 'x-propusk-token',
});

export const IDENTITY_HEADER_NAMES: readonly string[] = Object.values(IDENTITY_HEADERS);

/**
 * Header values must be visible ASCII (RFC 9110 §5.5); usernames may hold any letter. Anything
 * outside 0x21–0x7E, and `%` itself, is percent-encoded as UTF-8 (RFC 3986 §2.1), so an ASCII
 * value travels unchanged and `decodeIdentityHeader` restores every other one exactly.
 */
export function encodeIdentityHeader(value: string): string {
  return value.replace(/[^\x21-\x7e]|%/gu, (c) => encodeURIComponent(c));
}

/** The inverse of encodeIdentityHeader; a malformed escape means the value is not the gateway's. */
export function decodeIdentityHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
