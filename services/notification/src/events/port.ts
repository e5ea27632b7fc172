import type { Notification } from '@propusk/contracts';

/**
 * What delivery reports (docs/events.md): observer.ts turns a sent code into `auth.code.sent`
 * on JetStream and counts it for Prometheus. Calls return at once and never fail the delivery.
 */
export interface DeliveryEvents {
  /** The provider accepted the message (not for a redelivery acknowledged without sending). */
  sent(notification: Notification): void;
}

/** For flows built without an observer (unit tests of other concerns). */
export const NO_DELIVERY_EVENTS: DeliveryEvents = Object.freeze({ sent: () => undefined });
