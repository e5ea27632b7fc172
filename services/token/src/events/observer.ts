import { EVENTS } from '@propusk/contracts';
import { counter, type EventPublisher } from '@propusk/kit';
import type { TokenEvents } from './port.js';

/** The token service's events on JetStream and as Prometheus counters, so call sites stay one line. */
export function createTokenObserver(publisher: EventPublisher): TokenEvents {
  const issued = counter(
    'propusk_tokens_issued_total',
    'Sessions started (tokens issued at login or registration), by profile',
    ['profile'],
  );
  const reused = counter(
    'propusk_refresh_reuse_total',
    'Refresh tokens presented again after rotation (the family is revoked)',
  );
  return {
    sessionCreated(event) {
      issued.inc({ profile: event.profile });
      void publisher.publish(EVENTS.sessionCreated, event);
    },
    refreshReused(event) {
      reused.inc();
      void publisher.publish(EVENTS.refreshReused, event);
    },
  };
}
