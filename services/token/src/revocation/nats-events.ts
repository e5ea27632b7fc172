import { EVENTS, issues, SessionRevokedEvent, validate } from '@propusk/contracts';
import type { EventPublisher } from '@propusk/kit';
import type { RevocationEvents } from './store.js';

/**
 * Publishes `auth.session.revoked` (contracts: EVENTS.sessionRevoked, a superset of
 * SessionRevokedEvent) on JetStream, like every domain event (docs/events.md). A JetStream
 * publish is a NATS publish the stream also stores, so gateways subscribed on core NATS
 * (gateway/src/auth/events.ts) still hear it at once to drop cached validations. Waiting for
 * the acknowledgement keeps the event ahead of the answer to the logout that caused it. The
 * event only speeds up cache eviction: a gateway that misses it still finds the Redis record
 * when its cache entry expires, and a publish that fails is logged and counted, not thrown.
 */
export function createJetStreamRevocationEvents(publisher: EventPublisher): RevocationEvents {
  return {
    async revoked(event) {
      if (!validate(SessionRevokedEvent, event)) {
        throw new Error(`invalid SessionRevokedEvent: ${JSON.stringify(issues(SessionRevokedEvent, event))}`);
      }
      // Exactly the contract's fields, whatever else the caller's record holds.
      await publisher.publish(EVENTS.sessionRevoked, {
        jti: event.jti,
        profile: event.profile,
        exp: event.exp,
      });
    },
  };
}
