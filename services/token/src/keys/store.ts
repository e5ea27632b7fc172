import type { JWK } from 'jose';

export type KeyState = 'active' | 'retiring' | 'retired';

export interface StoredKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateJwk: JWK;
  status: KeyState;
  createdAt: Date;
  retireAfter: Date | null;
}

/** A key about to be stored: `status` and `retireAfter` are the store's to set. */
export type NewKey = Omit<StoredKey, 'status' | 'retireAfter'>;

/**
 * What the keys capability needs from storage. Keys are scoped by algorithm: each algorithm
 * has its own active key, and rotating one never touches the keys of another (rotating the
 * RS256 key must not retire the HS256 key, and the other way round).
 */
export interface KeyStore {
  /**
   * Adds `key` as the only active key of its algorithm; every other active key of that
   * algorithm becomes retiring until `retireAfter`. Concurrent rotations are serialised.
   */
  rotateIn(key: NewKey, retireAfter: Date): Promise<void>;
  /**
   * Adds `key` as active only when its algorithm has no active key yet; answers whether it
   * did. Two replicas starting together both call this; exactly one key ends up active.
   */
  addIfNoActive(key: NewKey): Promise<boolean>;
  /** Keys of every algorithm that still verify tokens: active and retiring. */
  listVerifying(): Promise<StoredKey[]>;
  /** Retiring keys past their date become retired; answers how many. */
  retireExpired(now: Date): Promise<number>;
}
