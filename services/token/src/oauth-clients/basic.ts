import type { ClientCredentials } from './credentials.js';

/** RFC 7617 §2: `Basic` (any case), one space or more, then the token68 of base64 (RFC 4648 §4). */
const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/** RFC 6749 §2.3.1: id and secret are form-encoded (RFC 6749 Appendix B) before Basic encodes them. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Reads HTTP Basic client credentials (RFC 7617, as RFC 6749 §2.3.1 uses them); undefined for
 * anything else: no header, another scheme, bad base64, no colon, or a repeated header.
 */
export function basicCredentials(header: string | string[] | undefined): ClientCredentials | undefined {
  if (typeof header !== 'string') return undefined;
  const m = BASIC.exec(header);
  if (!m?.[1] || m[1].length % 4 !== 0) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  // RFC 7617 §2: the user-id cannot contain a colon; the password may.
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (!id || secret === undefined) return undefined;
  return { id, secret };
}
