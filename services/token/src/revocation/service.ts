import type { Logger } from '@propusk/kit';
import { CLOCK_SKEW_S, epochSeconds, systemClock, type Clock } from '../shared/clock.js';
import type { RevocationEvents, RevocationRecord, RevocationStore } from './store.js';

export interface RevocationService {
  /**
   * Records the revocation (Redis is the truth), then announces `auth.session.revoked` so
   * gateways drop cached validations at once. Answers false when it was already recorded
   * or the token has expired anyway.
   */
  revoke(record: RevocationRecord): Promise<boolean>;
  isRevoked(id: string): Promise<boolean>;
}

export interface RevocationDeps {
  store: RevocationStore;
  events: RevocationEvents;
  log: Logger;
  now?: Clock;
}

export function createRevocationService(deps: RevocationDeps): RevocationService {
  const now = deps.now ?? systemClock;
  return {
    async revoke(record) {
      // Kept while a verifier could still accept the token: until exp plus the clock leeway.
      const ttlS = record.exp + CLOCK_SKEW_S - epochSeconds(now);
      if (ttlS <= 0) return false;
      if (!(await deps.store.add(record, ttlS))) return false;
      try {
        await deps.events.revoked(record);
      } catch (err) {
        // The record is written: every verifier that asks Redis already refuses the token;
        // only caches live on until their own expiry.
        deps.log.error({ err, jti: record.jti }, 'could not announce a revoked session');
      }
      return true;
    },
    isRevoked: (id) => deps.store.has(id),
  };
}
