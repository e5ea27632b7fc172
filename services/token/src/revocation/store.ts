import type { SessionRevokedEvent } from '@propusk/contracts';

/** A revoked token: its id (contracts' tokenId), profile and own expiry (seconds). */
export type RevocationRecord = SessionRevokedEvent;

/** What the revocation capability needs from storage (the domain defines it; Redis implements it). */
export interface RevocationStore {
  /** Records a revocation kept for `ttlS` seconds; false when it was already recorded. */
  add(record: RevocationRecord, ttlS: number): Promise<boolean>;
  has(id: string): Promise<boolean>;
}

/** Where revocations are announced (core NATS in production, a recorder in tests). */
export interface RevocationEvents {
  revoked(event: SessionRevokedEvent): Promise<void>;
}
