import type { IntrospectionResult } from '@propusk/contracts';

/** Which of the two kinds of OAuth token (RFC 6749 §1.4, §1.5) a live token is. */
export type TokenUse = 'access' | 'refresh';

/**
 * The `token_type` member of an active introspection answer (RFC 7662 §2.2), from one place.
 *
 * Why `access_token` / `refresh_token`: §2.2 defines `token_type` by pointing at RFC 6749 §5.1,
 * whose values ("Bearer", RFC 6750) say how an access token is presented — every token here is
 * a bearer token, and a refresh token has no such type at all — and §2.2's example answer shows
 * no `token_type`. What a caller needs is which kind of token it holds, and RFC 7662 has one
 * vocabulary for that: the token type hints of RFC 7009 §2.1 (IANA "OAuth Token Type Hints",
 * RFC 7009 §4.1.2), which a caller sends itself as `token_type_hint` (RFC 7662 §2.1, whose
 * example request says `token_type_hint=access_token`). The answer names a token as the request
 * does. RFC 8693's URIs (`urn:ietf:params:oauth:token-type:access_token`) name the same kinds for
 * token exchange, which these callers do not speak.
 */
const TOKEN_TYPES = { access: 'access_token', refresh: 'refresh_token' } as const;

export function tokenType(use: TokenUse): NonNullable<IntrospectionResult['token_type']> {
  return TOKEN_TYPES[use];
}
