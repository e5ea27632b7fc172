import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { LONGEST_HS256_TOKEN_S, LONGEST_RS256_TOKEN_S, retireWindowMs } from './lifetimes.js';
import type { KeyStore, NewKey, StoredKey } from './store.js';

/**
 * Signing keys, one active key per algorithm: RS256 for the asymmetric JWT profiles (envelope,
 * v2; published in the JWKS), HS256 for the HMAC profiles (admin-telegram, authorization; never
 * published). Each key is pinned to its algorithm. Rotation adds a key and keeps the old one
 * verifying until every token it signed has expired, then retires it.
 */
export const SIGNING_ALGS = ['RS256', 'HS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
/** The asymmetric algorithm (the default of `rotate` and `authctl keys rotate`). */
export const SIGNING_ALG: SigningAlg = 'RS256';
/** The HMAC algorithm (RFC 7518 §3.2). */
export const HMAC_ALG: SigningAlg = 'HS256';

/**
 * How long a replaced RS256 key keeps verifying: the longest RS256-signed lifetime (envelope
 * 2 h, v2 V2_TOKEN_TTL_S at its maximum) plus the signing lag and a margin (lifetimes.ts).
 */
export const LONGEST_TOKEN_LIFETIME_MS = retireWindowMs(LONGEST_RS256_TOKEN_S);
/**
 * The same for HS256: admin-telegram and authorization pairs, refresh tokens at their maximum
 * (ADMIN_REFRESH_TTL_S, AUTHZ_REFRESH_TTL_S).
 */
export const LONGEST_HMAC_TOKEN_LIFETIME_MS = retireWindowMs(LONGEST_HS256_TOKEN_S);

/** How long a replaced key keeps verifying, per algorithm. */
export const RETIRE_AFTER_MS: Readonly<Record<SigningAlg, number>> = {
  RS256: LONGEST_TOKEN_LIFETIME_MS,
  HS256: LONGEST_HMAC_TOKEN_LIFETIME_MS,
};

/** RFC 7518 §3.2: an HS256 key must be at least 256 bits. */
export const HMAC_KEY_BYTES = 32;

export function isSigningAlg(value: unknown): value is SigningAlg {
  return typeof value === 'string' && (SIGNING_ALGS as readonly string[]).includes(value);
}

export interface KeysService {
  /** A new active key for `alg` (default RS256); the previous one of that algorithm starts retiring. */
  rotate(alg?: SigningAlg): Promise<StoredKey>;
  /** Makes sure `alg` (default RS256) has an active key (first start), answers it. */
  ensureActive(alg?: SigningAlg): Promise<StoredKey>;
  /** Active and retiring keys of every algorithm. */
  verifying(): Promise<StoredKey[]>;
}

async function newRsaKey(now: Date): Promise<NewKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', {
    extractable: true,
    modulusLength: 2048,
  });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  // kid = RFC 7638 thumbprint: stable, derived from the key, nothing to guess or inject.
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    kid,
    alg: 'RS256',
    publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' },
    privateJwk: { ...privateJwk, kid, alg: 'RS256' },
    createdAt: now,
  };
}

function newHmacKey(now: Date): NewKey {
  // A random kid, not a thumbprint: the thumbprint of an "oct" key is a hash of the secret.
  const kid = randomBytes(16).toString('base64url');
  return {
    kid,
    alg: 'HS256',
    // The "public" part names the key and nothing else: the secret lives only in privateJwk.
    publicJwk: { kty: 'oct', kid, alg: 'HS256' },
    privateJwk: { kty: 'oct', k: randomBytes(HMAC_KEY_BYTES).toString('base64url') },
    createdAt: now,
  };
}

export async function newSigningKey(now: Date, alg: SigningAlg = SIGNING_ALG): Promise<NewKey> {
  return alg === 'HS256' ? newHmacKey(now) : newRsaKey(now);
}

export function createKeysService(deps: { store: KeyStore; now?: () => Date }): KeysService {
  const now = deps.now ?? (() => new Date());
  async function active(alg: SigningAlg): Promise<StoredKey | undefined> {
    return (await deps.store.listVerifying()).find((k) => k.alg === alg && k.status === 'active');
  }
  return {
    async rotate(alg = SIGNING_ALG) {
      const at = now();
      await deps.store.retireExpired(at);
      const key = await newSigningKey(at, alg);
      await deps.store.rotateIn(key, new Date(at.getTime() + RETIRE_AFTER_MS[alg]));
      return { ...key, status: 'active', retireAfter: null };
    },
    async ensureActive(alg = SIGNING_ALG) {
      const found = await active(alg);
      if (found) return found;
      const key = await newSigningKey(now(), alg);
      if (await deps.store.addIfNoActive(key)) return { ...key, status: 'active', retireAfter: null };
      // Another replica created one between our read and our write: use that one.
      const winner = await active(alg);
      if (!winner) throw new Error(`no active ${alg} key after a lost creation race`);
      return winner;
    },
    async verifying() {
      await deps.store.retireExpired(now());
      return deps.store.listVerifying();
    },
  };
}
