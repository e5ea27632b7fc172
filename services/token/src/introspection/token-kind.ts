import { isDrfToken } from '../drf/token.js';
import { checkJwsHeader } from '../shared/jws.js';
import { V2_TYP } from '@propusk/contracts';

/**
 * Which verifier a presented token goes to, by its shape alone: 40 lowercase hex is a drf
 * token, three dot-separated segments a JWT — an HMAC one when its header says HS256
 * (admin-telegram or authorization: both verifiers are tried, each with its own subkeys),
 * an `at+jwt` one (RFC 9068) goes to the v2 verifier, any other JWT to the envelope verifier.
 * The header is not trusted for anything else: each verifier pins the algorithm to its own keys
 * and checks the type and claims again, so a token sent to the wrong one is refused there
 * (RFC 8725 §2.1, §3.12).
 */
export type TokenKind = 'drf' | 'hmac-jwt' | 'v2-jwt' | 'jwt' | 'unknown';

export function tokenKind(token: string): TokenKind {
  if (isDrfToken(token)) return 'drf';
  if (token.split('.').length !== 3) return 'unknown';
  const checked = checkJwsHeader(token);
  if (!checked.ok) return 'jwt';
  if (checked.header.alg === 'HS256') return 'hmac-jwt';
  return checked.header.typ === V2_TYP ? 'v2-jwt' : 'jwt';
}
