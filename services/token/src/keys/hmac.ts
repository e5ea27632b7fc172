import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { HmacKey, KeyRing } from './ring.js';

/**
 * HMAC subkeys. An HS256 master secret is never used to sign directly: every profile and token
 * kind signs with its own key, HKDF-SHA256(secret, info) (RFC 5869), `info` naming the profile
 * and kind, e.g. "propusk admin-telegram access". A token of one kind therefore never verifies
 * as another kind, nor as another profile's token signed from the same master secret
 * (RFC 8725 §3.12: "Use Mutually Exclusive Validation Rules for Different Kinds of JWTs").
 */
export interface HmacSubkey {
  readonly kid: string;
  readonly alg: 'HS256';
  /**
   * A KeyObject, not bytes: jose imports raw bytes into WebCrypto on every sign and verify, but
   * converts a KeyObject once and keeps it (about 13% of the token service's CPU a refresh; bench/).
   */
  readonly key: KeyObject;
}

/** Where the master secrets come from (the key ring). */
export type HmacKeySource = Pick<KeyRing, 'hmacSigning' | 'hmacVerifying'>;

export interface HmacSubkeys {
  /** The subkey of the active master secret, to sign with. */
  signing(): HmacSubkey;
  /** The subkey of the master secret `kid` names, while that secret verifies. */
  verifying(kid: string): Promise<HmacSubkey | undefined>;
}

/** RFC 5869 §3.1: the salt is optional; the master secret is already uniformly random. */
const NO_SALT = new Uint8Array(0);
/** HS256 keys are as long as the hash output (RFC 7518 §3.2). */
const SUBKEY_BYTES = 32;

export function deriveHmacKey(secret: Uint8Array, info: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, NO_SALT, info, SUBKEY_BYTES));
}

export function hmacSubkeys(source: HmacKeySource, info: string): HmacSubkeys {
  // HKDF costs two HMACs: cheap, but a master secret's subkey never changes, so keep it.
  const cache = new WeakMap<HmacKey, HmacSubkey>();
  function subkey(master: HmacKey): HmacSubkey {
    let derived = cache.get(master);
    if (!derived) {
      derived = {
        kid: master.kid,
        alg: master.alg,
        key: createSecretKey(deriveHmacKey(master.secret, info)),
      };
      cache.set(master, derived);
    }
    return derived;
  }
  return {
    signing: () => subkey(source.hmacSigning()),
    async verifying(kid) {
      const master = await source.hmacVerifying(kid);
      return master && subkey(master);
    },
  };
}
