import type { EventFields, EVENTS } from '@propusk/contracts';

type Fields<K extends keyof typeof EVENTS> = EventFields<(typeof EVENTS)[K]>;

/**
 * What the token capabilities report (docs/events.md): observer.ts publishes it on JetStream and
 * counts it for Prometheus. Calls return at once and never fail the operation. Revocations are
 * reported through the revocation capability's own port (RevocationEvents), which gateways use.
 */
export interface TokenEvents {
  /** Tokens were issued for a new session (the account session index records it). */
  sessionCreated(event: Fields<'sessionCreated'>): void;
  /** A used refresh token came back; its family is revoked. */
  refreshReused(event: Fields<'refreshReused'>): void;
}

/** For services built without an observer (unit tests of other concerns). */
export const NO_TOKEN_EVENTS: TokenEvents = Object.freeze({
  sessionCreated: () => undefined,
  refreshReused: () => undefined,
});
