import { hmacSubkeys, type HmacKeySource, type HmacSubkeys } from '../keys/hmac.js';
import type { AdminTokenKind } from './claims.js';

/**
 * HKDF `info` of this profile's subkeys, one per token kind (keys/hmac.ts). Another HS256
 * profile (document 002) derives with its own names, so its tokens never verify here.
 */
export const SUBKEY_INFO: Readonly<Record<AdminTokenKind, string>> = {
  access: 'propusk admin-telegram access',
  refresh: 'propusk admin-telegram refresh',
};

/** What the admin-telegram capability signs and verifies with: one subkey family per kind. */
export type AdminTelegramKeys = Readonly<Record<AdminTokenKind, HmacSubkeys>>;

export function adminTelegramKeys(source: HmacKeySource): AdminTelegramKeys {
  return {
    access: hmacSubkeys(source, SUBKEY_INFO.access),
    refresh: hmacSubkeys(source, SUBKEY_INFO.refresh),
  };
}
