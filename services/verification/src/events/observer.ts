import { EVENTS } from '@propusk/contracts';
import { counter, type EventPublisher } from '@propusk/kit';
import type { CodeEvents } from './port.js';

/** The code flow's events on JetStream and as Prometheus counters, so call sites stay one line. */
export function createCodeObserver(publisher: EventPublisher): CodeEvents {
  const issued = counter(
    'propusk_codes_issued_total',
    'One-time codes issued and queued, by purpose and channel',
    ['purpose', 'channel'],
  );
  return {
    issued(event) {
      issued.inc({ purpose: event.purpose, channel: event.channel });
      void publisher.publish(EVENTS.codeIssued, event);
    },
    verified: (event) => void publisher.publish(EVENTS.codeVerified, event),
    failed: (event) => void publisher.publish(EVENTS.codeFailed, event),
  };
}
