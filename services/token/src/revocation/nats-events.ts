import { eventSubject, issues, SessionRevokedEvent, validate, type Namespace } from '@propusk/contracts';
import type { NatsConnection } from '@propusk/kit';
import type { RevocationEvents } from './store.js';

/**
 * Publishes `auth.session.revoked` on core NATS (contracts: SessionRevokedEvent). Core, not
 * JetStream: the event only speeds up cache eviction; a gateway that misses it still finds
 * the Redis record when its cache entry expires.
 */
export function createNatsRevocationEvents(nc: NatsConnection, ns: Namespace): RevocationEvents {
  const subject = eventSubject(ns, 'session', 'revoked');
  return {
    async revoked(event) {
      if (!validate(SessionRevokedEvent, event)) {
        throw new Error(`invalid SessionRevokedEvent: ${JSON.stringify(issues(SessionRevokedEvent, event))}`);
      }
      nc.publish(subject, JSON.stringify(event));
    },
  };
}
