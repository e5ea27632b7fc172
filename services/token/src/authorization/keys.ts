import { hmacSubkeys, type HmacKeySource, type HmacSubkeys } from '../keys/hmac.js';
import type { AuthorizationKind } from './claims.js';

/**
 * HKDF `info` of this profile's subkeys, one per token kind (keys/hmac.ts). admin-telegram
 * (document 000) derives its own from the same master secret, so neither profile's tokens
 * verify as the other's.
 */
export const SUBKEY_INFO: Readonly<Record<AuthorizationKind, string>> = {
  access: 'propusk authorization access',
  refresh: 'propusk authorization refresh',
};

/** What the authorization capability signs and verifies with: one subkey family per kind. */
export type AuthorizationKeys = Readonly<Record<AuthorizationKind, HmacSubkeys>>;

export function authorizationKeys(source: HmacKeySource): AuthorizationKeys {
  return {
    access: hmacSubkeys(source, SUBKEY_INFO.access),
    refresh: hmacSubkeys(source, SUBKEY_INFO.refresh),
  };
}
