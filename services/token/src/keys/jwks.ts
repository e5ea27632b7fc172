import type { JWK } from 'jose';

/**
 * The public members of a JWK, by key type (RFC 7518 §6.2.1 EC, §6.3.1 RSA; RFC 8037 §2 OKP),
 * plus the RFC 7517 §4 parameters a verifier needs. An allowlist: a private member (`d`, `p`,
 * `q`, `dp`, `dq`, `qi`, `oth`) can never reach a published JWKS, whatever the stored JWK holds.
 */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
};
const COMMON_MEMBERS = ['kty', 'kid', 'alg', 'use'] as const;

export function publicJwk(jwk: JWK): JWK | undefined {
  const members = jwk.kty ? PUBLIC_MEMBERS[jwk.kty] : undefined;
  if (!members) return undefined; // symmetric ("oct") or unknown keys are never published
  const out: Record<string, unknown> = {};
  for (const m of [...COMMON_MEMBERS, ...members]) {
    const v = (jwk as Record<string, unknown>)[m];
    if (typeof v === 'string') out[m] = v;
  }
  return out as JWK;
}
