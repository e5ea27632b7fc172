import { createHash } from 'node:crypto';

/** contracts' tokenId: base64url(sha256(token)), the name of a token in revocation records. */
export function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
