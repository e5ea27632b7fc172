import { EVENTS } from '@propusk/contracts';
import { counter, type EventPublisher } from '@propusk/kit';
import type { IdentityEvents } from './port.js';

/**
 * identity's events as domain events on JetStream (kit's publisher: validated, deduplicated by
 * id, never failing the operation) and as Prometheus counters, in one place so each call site
 * in the domain stays one line.
 */
export function createIdentityObserver(publisher: EventPublisher): IdentityEvents {
  const logins = counter('propusk_logins_total', 'Logins by profile and outcome (ok, failed)', [
    'profile',
    'outcome',
  ]);
  // A password checked over NATS (identity.verifyPassword) has no profile.
  const profileLabel = (profile: string | undefined) => profile ?? 'none';
  return {
    registered: (event) => void publisher.publish(EVENTS.userRegistered, event),
    federatedLinked: (event) => void publisher.publish(EVENTS.federatedLinked, event),
    loginSucceeded(event) {
      logins.inc({ profile: profileLabel(event.profile), outcome: 'ok' });
      void publisher.publish(EVENTS.loginSucceeded, event);
    },
    loginFailed(event) {
      logins.inc({ profile: profileLabel(event.profile), outcome: 'failed' });
      void publisher.publish(EVENTS.loginFailed, event);
    },
    passwordChanged: (event) => void publisher.publish(EVENTS.passwordChanged, event),
  };
}
