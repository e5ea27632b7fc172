import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { KeyStore, StoredKey } from './store.js';

/**
 * Signing keys for the asymmetric JWT profiles (envelope RS256, v2). Each key is pinned to
 * one algorithm. Rotation adds a key and keeps the old one verifying until every token it
 * signed has expired (the longest token lifetime), then retires it.
 */
export const SIGNING_ALG = 'RS256';
/** The longest lifetime of a token signed with these keys, with margin (DESIGN: 2 h envelope; v2). */
export const LONGEST_TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export interface KeysService {
  rotate(): Promise<StoredKey>;
  /** Makes sure an active key exists (first start), answers the active one. */
  ensureActive(): Promise<StoredKey>;
  verifying(): Promise<StoredKey[]>;
}

export async function newSigningKey(now: Date): Promise<Omit<StoredKey, 'status' | 'retireAfter'>> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, {
    extractable: true,
    modulusLength: 2048,
  });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  // kid = RFC 7638 thumbprint: stable, derived from the key, nothing to guess or inject.
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    kid,
    alg: SIGNING_ALG,
    publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' },
    privateJwk: { ...privateJwk, kid, alg: SIGNING_ALG },
    createdAt: now,
  };
}

export function createKeysService(deps: { store: KeyStore; now?: () => Date }): KeysService {
  const now = deps.now ?? (() => new Date());
  async function rotate(): Promise<StoredKey> {
    const at = now();
    await deps.store.retireExpired(at);
    const key = await newSigningKey(at);
    await deps.store.rotateIn(key, new Date(at.getTime() + LONGEST_TOKEN_LIFETIME_MS));
    return { ...key, status: 'active', retireAfter: null };
  }
  return {
    rotate,
    async ensureActive() {
      const active = (await deps.store.listVerifying()).find((k) => k.status === 'active');
      return active ?? rotate();
    },
    async verifying() {
      await deps.store.retireExpired(now());
      return deps.store.listVerifying();
    },
  };
}
