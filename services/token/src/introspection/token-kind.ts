import { isDrfToken } from '../drf/token.js';

/**
 * Which verifier a presented token goes to, by its shape alone: 40 lowercase hex is a drf
 * token, three dot-separated segments a JWT. The shapes cannot overlap, so a drf token can
 * never be taken for a JWT or the other way round.
 */
export type TokenKind = 'drf' | 'jwt' | 'unknown';

export function tokenKind(token: string): TokenKind {
  if (isDrfToken(token)) return 'drf';
  if (token.split('.').length === 3) return 'jwt';
  return 'unknown';
}
