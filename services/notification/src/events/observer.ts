import { CODE_PURPOSES, EVENTS, type CodePurpose } from '@propusk/contracts';
import { counter, derivedEventId, type EventPublisher } from '@propusk/kit';
import type { DeliveryEvents } from './port.js';

function isCodePurpose(kind: string): kind is CodePurpose {
  return (CODE_PURPOSES as readonly string[]).includes(kind);
}

/**
 * A sent notification that carries a code (its `kind` is a code purpose) becomes `auth.code.sent`
 * and counts in `propusk_codes_sent_total{channel}`. The event's id derives from the
 * notification's, so a message sent twice (a crash before the ack) is one event on the stream.
 */
export function createDeliveryObserver(publisher: EventPublisher): DeliveryEvents {
  const codesSent = counter(
    'propusk_codes_sent_total',
    'Code messages accepted by their provider, by channel',
    ['channel'],
  );
  return {
    sent(n) {
      if (!isCodePurpose(n.kind)) return;
      codesSent.inc({ channel: n.channel });
      void publisher.publish(
        EVENTS.codeSent,
        { notificationId: n.id, purpose: n.kind, channel: n.channel, requestId: n.requestId },
        { id: derivedEventId(EVENTS.codeSent.name, n.id) },
      );
    },
  };
}
