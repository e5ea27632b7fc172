/**
 * Reads the access token from `Authorization: <scheme> <token>` (RFC 7235 §2.1, RFC 6750 §2.1).
 * The scheme is matched case-insensitively (RFC 7235 §2.1: "case-insensitive token"); each
 * profile names the schemes it accepts (document 004: `Bearer` and DRF's own `Token`; document
 * 001: `Bearer`). A header in another scheme counts as no credentials, as DRF's
 * TokenAuthentication does; a known scheme with a malformed token is an invalid token.
 *
 * A profile may also take the token bare, with no scheme: document 003 shows its `Authorization`
 * header as "JWT-токен авторизации", the JWT alone. A value without a space that is not one of
 * the profile's schemes is then the token.
 */
export type Extracted = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'malformed' };

/** RFC 7235 §2.1 auth-scheme = token (RFC 7230 §3.2.6 tchar). */
const CREDENTIALS = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:[ ]+(.*))?$/;
/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Longer tokens are refused before any work is done on them. */
export const MAX_TOKEN_LENGTH = 8192;

export interface ExtractOptions {
  /** A value with no scheme is the token itself (document 003). */
  bare?: boolean | undefined;
}

/** RFC 6750 §2.1's b64token, at most MAX_TOKEN_LENGTH long; anything else is malformed. */
function tokenOf(token: string): Extracted {
  if (token === '' || token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) return { kind: 'malformed' };
  return { kind: 'token', token };
}

export function extractToken(
  header: string | string[] | undefined,
  schemes: readonly string[],
  { bare = false }: ExtractOptions = {},
): Extracted {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return { kind: 'none' };
  const trimmed = value.trim();
  if (bare && trimmed !== '' && !/\s/.test(trimmed) && !schemes.includes(trimmed.toLowerCase())) {
    return tokenOf(trimmed);
  }
  const match = CREDENTIALS.exec(trimmed);
  if (!match) return { kind: 'none' };
  const scheme = (match[1] ?? '').toLowerCase();
  if (!schemes.includes(scheme)) return { kind: 'none' };
  return tokenOf((match[2] ?? '').trim());
}
