import { isDrfToken } from '../drf/token.js';
import { checkJwsHeader } from '../shared/jws.js';

/**
 * Which verifier a presented token goes to, by its shape alone: 40 lowercase hex is a drf
 * token, three dot-separated segments a JWT — an HMAC one when its header says HS256
 * (admin-telegram), any other JWT goes to the asymmetric verifier (envelope). The header is
 * not trusted for anything else: each verifier pins the algorithm to its own keys, so a token
 * sent to the wrong one is refused there (RFC 8725 §2.1).
 */
export type TokenKind = 'drf' | 'hmac-jwt' | 'jwt' | 'unknown';

export function tokenKind(token: string): TokenKind {
  if (isDrfToken(token)) return 'drf';
  if (token.split('.').length !== 3) return 'unknown';
  const checked = checkJwsHeader(token);
  return checked.ok && checked.header.alg === 'HS256' ? 'hmac-jwt' : 'jwt';
}
