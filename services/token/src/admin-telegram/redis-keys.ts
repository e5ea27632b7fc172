/**
 * Redis layout of admin-telegram (under kit's prefix `propusk:<ns>:`). A refresh family's keys
 * share the hash tag `{family:<family id>}`: rotation, reuse detection and revocation change
 * the family, its refresh records and its access session in one script, and on a Redis
 * Cluster a script's keys must lie in one slot
 * (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags).
 * - `admin:family:{family:<id>}`               hash {refresh, access, accessTokenId, accessExp,
 *                                              refreshExp, accountId, username, roles (JSON),
 *                                              chatId}, until the current refresh token's exp
 * - `admin:refresh:{family:<id>}:<refresh_uuid>` hash {family, status current|used, access, exp,
 *                                              and once used usedAt (epoch ms), next (its
 *                                              successor's uuid)}, until its exp
 * - `admin:access:{family:<id>}:<access_uuid>` JSON AccessSession, TTL = the access token's lifetime
 * A token names only its uuid (document 000's claims), so each uuid has a pointer to its family,
 * a key of its own (no tag): written before any record names the token, never changed, left
 * to expire with the token. A pointer whose family dropped the token leads to nothing.
 * - `admin:access-family:<access_uuid>`, `admin:refresh-family:<refresh_uuid>` → family id
 */
const tag = (familyId: string) => `{family:${familyId}}`;

export function adminFamilyKey(familyId: string): string {
  return `admin:family:${tag(familyId)}`;
}
export function adminRefreshKey(familyId: string, refreshUuid: string): string {
  return `admin:refresh:${tag(familyId)}:${refreshUuid}`;
}
export function adminAccessKey(familyId: string, accessUuid: string): string {
  return `admin:access:${tag(familyId)}:${accessUuid}`;
}
export function adminAccessFamilyKey(accessUuid: string): string {
  return `admin:access-family:${accessUuid}`;
}
export function adminRefreshFamilyKey(refreshUuid: string): string {
  return `admin:refresh-family:${refreshUuid}`;
}
