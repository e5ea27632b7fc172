import type { EventFields, EVENTS } from '@propusk/contracts';

type Fields<K extends keyof typeof EVENTS> = EventFields<(typeof EVENTS)[K]>;

/**
 * What the code flow reports (docs/events.md): observer.ts publishes it on JetStream and counts
 * it for Prometheus. Calls return at once and never fail the flow. Never a code or a subject
 * (an e-mail or phone number) in them: only the purpose, channel and outcome.
 */
export interface CodeEvents {
  issued(event: Fields<'codeIssued'>): void;
  verified(event: Fields<'codeVerified'>): void;
  failed(event: Fields<'codeFailed'>): void;
}

/** For flows built without an observer (unit tests of other concerns). */
export const NO_CODE_EVENTS: CodeEvents = Object.freeze({
  issued: () => undefined,
  verified: () => undefined,
  failed: () => undefined,
});
