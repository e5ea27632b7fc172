import { eventSubject, SessionRevokedEvent, validate, type Namespace } from '@propusk/contracts';
import type { Logger, NatsConnection } from '@propusk/kit';

/**
 * Subscribes to `auth.session.revoked` (contracts' eventSubject; published by the token service
 * on core NATS the moment a token is revoked). No queue group: every gateway replica must hear
 * every event. Answers the unsubscribe.
 */
export function subscribeRevocations(
  nc: NatsConnection,
  ns: Namespace,
  onRevoked: (event: SessionRevokedEvent) => void,
  log: Logger,
): () => void {
  const decoder = new TextDecoder();
  const subject = eventSubject(ns, 'session', 'revoked');
  const sub = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) {
        log.error({ err, subject }, 'revocation subscription error');
        return;
      }
      let event: unknown;
      try {
        event = JSON.parse(decoder.decode(msg.data));
      } catch {
        event = undefined;
      }
      if (!validate(SessionRevokedEvent, event)) {
        log.warn({ subject }, 'malformed revocation event ignored');
        return;
      }
      onRevoked(event);
    },
  });
  return () => sub.unsubscribe();
}

/** Calls `onReconnect` after each NATS reconnect: events published meanwhile were missed. */
export function watchReconnects(nc: NatsConnection, onReconnect: () => void): void {
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') onReconnect();
  })();
}
