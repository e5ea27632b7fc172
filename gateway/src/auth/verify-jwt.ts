import { decodeProtectedHeader, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { tokenId, type Profile } from '@propusk/contracts';
import { AuthError, invalidToken } from './errors.js';
import type { KeySet } from './jwks.js';
import type { VerifiedToken } from './identity.js';

/**
 * Local verification of signed JWTs (RFC 7515 compact JWS, RFC 7519), following RFC 8725
 * (JWT Best Current Practices):
 * - §3.1: the algorithm comes from the key, never from the token: each key verifies with its
 *   own `alg` only, so `alg: none` (in any casing) and HS256-signed-with-the-public-key fail;
 * - §3.10: keys come only from the token service's JWKS; a token carrying `jku`, `jwk`, `x5u`
 *   or `x5c` is refused outright, as is `crit` (RFC 7515 §4.1.11: no extension is understood)
 *   and any member beyond `alg`, `typ`, `kid`;
 * - §3.8/§3.9/§3.11: issuer, the header `typ` and the profile's own claims are checked, so a
 *   token of another profile or kind is refused;
 * - RFC 7519 §4.1.4/§4.1.5: `exp` and `nbf`, with a small clock leeway.
 */
export interface JwtVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

/** What a profile reads from a verified payload; undefined when the payload is not its kind. */
export type ClaimsReader = (
  payload: JWTPayload,
) => Omit<VerifiedToken, 'tokenId' | 'expiresAtMs' | 'profile'> | undefined;

export interface JwtVerifierOptions {
  profile: Profile;
  keys: KeySet;
  issuer: string;
  claims: ClaimsReader;
  /**
   * The header `typ` this profile's tokens carry, required exactly (v2: RFC 9068 §2.1 `at+jwt`).
   * Unset: `typ` is optional and, when present, must say JWT (RFC 7519 §5.1).
   */
  typ?: string;
  /** RFC 7519 §4.1.4 leeway, seconds. */
  clockToleranceS?: number;
  now?: () => number;
}

const FORBIDDEN_HEADERS = ['jku', 'jwk', 'x5u', 'x5c', 'crit'] as const;
/** The token service writes only these (RFC 8725 §3.10: nothing else is trusted or needed). */
const ALLOWED_HEADERS = new Set(['alg', 'typ', 'kid']);
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function checkTyp(typ: unknown, expected: string | undefined): void {
  if (expected !== undefined) {
    // RFC 9068 §4: the resource server checks the type; the token service writes exactly this.
    if (typ !== expected) throw invalidToken(`typ ${String(typ)}`);
    return;
  }
  if (typ !== undefined && (typeof typ !== 'string' || typ.toUpperCase() !== 'JWT')) {
    throw invalidToken(`typ ${String(typ)}`);
  }
}

function checkHeader(
  header: ProtectedHeaderParameters,
  typ: string | undefined,
): { alg: string; kid: string } {
  const { alg, kid } = header;
  if (typeof alg !== 'string' || alg === '') throw invalidToken('no alg');
  if (alg.toLowerCase() === 'none') throw invalidToken('alg none');
  for (const name of FORBIDDEN_HEADERS) {
    if (Object.prototype.hasOwnProperty.call(header, name)) throw invalidToken(`${name} header`);
  }
  const unknown = Object.keys(header).find((name) => !ALLOWED_HEADERS.has(name));
  if (unknown !== undefined) throw invalidToken(`${unknown} header`);
  if (typeof kid !== 'string' || kid === '') throw invalidToken('no kid');
  checkTyp(header.typ, typ);
  return { alg, kid };
}

export function createJwtVerifier({
  profile,
  keys,
  issuer,
  claims,
  typ,
  clockToleranceS = 30,
  now = Date.now,
}: JwtVerifierOptions): JwtVerifier {
  return {
    async verify(token) {
      if (!COMPACT_JWS.test(token)) throw invalidToken('not a compact JWS');
      let header: ProtectedHeaderParameters;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw invalidToken('undecodable header');
      }
      const { alg, kid } = checkHeader(header, typ);
      const key = await keys.find(kid);
      if (!key) throw invalidToken('unknown kid');
      if (key.alg !== alg) throw invalidToken(`alg ${alg} is not the key's ${key.alg}`);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key.key, {
          algorithms: [key.alg],
          issuer,
          requiredClaims: ['exp', 'iat'],
          clockTolerance: clockToleranceS,
          currentDate: new Date(now()),
        }));
      } catch (err) {
        if (err instanceof AuthError) throw err;
        throw invalidToken(`jwt: ${(err as Error).message}`);
      }
      const who = claims(payload);
      if (!who) throw invalidToken(`claims are not those of a ${profile} access token`);
      return { ...who, profile, tokenId: tokenId(token), expiresAtMs: (payload.exp as number) * 1000 };
    },
  };
}
