import { IDENTITY_HEADERS, encodeIdentityHeader, type Profile } from '@propusk/contracts';

/** Who a verified access token speaks for: what the gateway hands to the services. */
export interface VerifiedToken {
  /** The account id. */
  readonly subject: string;
  readonly username: string;
  readonly profile: Profile;
  /** contracts' tokenId(token): names the token in revocation records and events. */
  readonly tokenId: string;
  readonly roles: readonly string[];
  /** Milliseconds since the epoch when the token expires. */
  readonly expiresAtMs: number;
}

/** The identity headers of contracts' IDENTITY_HEADERS for one verified token. */
export function identityHeaders(verified: VerifiedToken, rawToken: string): Record<string, string> {
  return {
    [IDENTITY_HEADERS.subject]: encodeIdentityHeader(verified.subject),
    [IDENTITY_HEADERS.username]: encodeIdentityHeader(verified.username),
    [IDENTITY_HEADERS.profile]: verified.profile,
    [IDENTITY_HEADERS.tokenId]: verified.tokenId,
    [IDENTITY_HEADERS.roles]: verified.roles.map(encodeIdentityHeader).join(','),
    [IDENTITY_HEADERS.token]: rawToken,
  };
}
