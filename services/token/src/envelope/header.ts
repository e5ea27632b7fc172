import type { EnvelopeRefusal } from './errors.js';

/**
 * The protected header of an envelope JWT, checked before any key is looked up.
 *
 * Only `alg`, `typ` and `kid` are allowed: the members that let a token choose its own
 * verification key — `jku`, `jwk`, `x5u`, `x5c` (RFC 7515 §4.1.2–4.1.6) — and `crit`
 * (§4.1.11, extensions we would have to understand) are refused outright, as is anything else
 * we never issue (RFC 8725 §3.10: "Do Not Trust Received Claims"; keys come only from our store).
 */
export interface EnvelopeHeader {
  alg: string;
  typ: string;
  kid: string;
}

const ALLOWED = new Set(['alg', 'typ', 'kid']);
/** Our kids are RFC 7638 SHA-256 thumbprints (base64url, 43 characters); allow some room. */
const KID = /^[A-Za-z0-9_-]{1,128}$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

export type HeaderVerdict = { ok: true; header: EnvelopeHeader } | { ok: false; reason: EnvelopeRefusal };

function decodeSegment(segment: string): unknown {
  if (!SEGMENT.test(segment)) throw new Error('not base64url');
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

export function checkHeader(token: string): HeaderVerdict {
  const [encoded] = token.split('.', 1);
  let header: unknown;
  try {
    header = decodeSegment(encoded ?? '');
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return { ok: false, reason: 'malformed' };
  }
  const h = header as Record<string, unknown>;
  if (Object.keys(h).some((m) => !ALLOWED.has(m))) return { ok: false, reason: 'forbidden_header' };
  if (typeof h.alg !== 'string') return { ok: false, reason: 'malformed' };
  if (typeof h.kid !== 'string' || !KID.test(h.kid)) return { ok: false, reason: 'unknown_kid' };
  if (typeof h.typ !== 'string') return { ok: false, reason: 'wrong_typ' };
  return { ok: true, header: { alg: h.alg, typ: h.typ, kid: h.kid } };
}
