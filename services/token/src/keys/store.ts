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

/** What the keys capability needs from storage. */
export interface KeyStore {
  /** Adds `key` as the only active key; every other active key becomes retiring until `retireAfter`. */
  rotateIn(key: Omit<StoredKey, 'status' | 'retireAfter'>, retireAfter: Date): Promise<void>;
  /** Keys that still verify tokens: active and retiring (JWKS publishes these). */
  listVerifying(): Promise<StoredKey[]>;
  /** Retiring keys past their date become retired; answers how many. */
  retireExpired(now: Date): Promise<number>;
}
