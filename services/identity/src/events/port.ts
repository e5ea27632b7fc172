import type { EventFields, EVENTS } from '@propusk/contracts';

type Fields<K extends keyof typeof EVENTS> = EventFields<(typeof EVENTS)[K]>;

/**
 * What identity's flows report as they happen (docs/events.md): the domain calls these once the
 * effect is committed; observer.ts publishes them on JetStream and counts them for Prometheus.
 * Calls return at once: a report never delays or fails the user's operation.
 */
export interface IdentityEvents {
  registered(event: Fields<'userRegistered'>): void;
  federatedLinked(event: Fields<'federatedLinked'>): void;
  loginSucceeded(event: Fields<'loginSucceeded'>): void;
  loginFailed(event: Fields<'loginFailed'>): void;
  passwordChanged(event: Fields<'passwordChanged'>): void;
}

/** For flows built without an observer (unit tests of other concerns). */
export const NO_IDENTITY_EVENTS: IdentityEvents = Object.freeze({
  registered: () => undefined,
  federatedLinked: () => undefined,
  loginSucceeded: () => undefined,
  loginFailed: () => undefined,
  passwordChanged: () => undefined,
});
