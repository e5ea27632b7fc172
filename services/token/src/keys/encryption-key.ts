import { createHash } from 'node:crypto';
import { requiredInProduction } from '@propusk/kit';
import { createSealer, masterKeyId, parseMasterKeys, type Sealer } from './seal.js';

export interface KeysEncryption {
  readonly sealer: Sealer;
  /** True when the development key stands in for an unset KEYS_ENCRYPTION_KEY (log a warning). */
  readonly development: boolean;
}

/**
 * The development master key: derived from a fixed label, so the token service and authctl on
 * one developer database agree without any setup. Anyone with the source can compute it: the
 * rows it seals are as good as plain. Never used when NODE_ENV is production.
 */
function developmentKey(): Buffer {
  return createHash('sha256').update('propusk-development-keys-encryption-key').digest();
}

/**
 * KEYS_ENCRYPTION_KEY (validated by its setting's `check`), or outside production the
 * development key; production without it stops the start. Shared by the token service and
 * `authctl keys …`, which must read the same rows.
 */
export function resolveKeysEncryption(config: {
  readonly KEYS_ENCRYPTION_KEY?: string | undefined;
  readonly NODE_ENV: string;
}): KeysEncryption {
  if (config.KEYS_ENCRYPTION_KEY) {
    return { sealer: createSealer(parseMasterKeys(config.KEYS_ENCRYPTION_KEY)), development: false };
  }
  if (config.NODE_ENV === 'production') {
    throw requiredInProduction('KEYS_ENCRYPTION_KEY');
  }
  const key = developmentKey();
  return { sealer: createSealer([{ id: masterKeyId(key), key }]), development: true };
}

/** The warning a process logs when the development key seals (never the key itself). */
export const DEVELOPMENT_KEYS_ENCRYPTION_WARNING =
  'KEYS_ENCRYPTION_KEY is not set: signing keys are sealed with the development key (never in production)';
