import type { ServiceName } from './services.js';

/**
 * Every NATS subject is built here, never spelled inline elsewhere.
 *
 * A namespace (PROPUSK_NAMESPACE, empty in production) prefixes every subject, stream and
 * consumer so that several isolated suites (tests running in parallel) can share one NATS server.
 */
export interface Namespace {
  readonly prefix: string;
}

const NAMESPACE_PATTERN = /^[a-z0-9_-]{0,32}$/;

export function namespace(name = ''): Namespace {
  if (!NAMESPACE_PATTERN.test(name)) {
    throw new Error(`namespace must match ${NAMESPACE_PATTERN}: ${JSON.stringify(name)}`);
  }
  return Object.freeze({ prefix: name === '' ? '' : `${name}.` });
}

/** Request/reply subject of one operation of one service: `propusk.rpc.<service>.<op>`. */
export function rpcSubject(ns: Namespace, service: ServiceName, op: string): string {
  return `${ns.prefix}propusk.rpc.${service}.${op}`;
}

/** Queue group of a service: N replicas share the load of its request/reply subjects. */
export function queueGroup(service: ServiceName): string {
  return `propusk-${service}`;
}

/** Domain events, `auth.<entity>.<past-tense>` (DESIGN: "Domain events"). */
export function eventSubject(ns: Namespace, entity: string, verb: string): string {
  return `${ns.prefix}auth.${entity}.${verb}`;
}

/** All domain events, for a stream or a subscriber that wants every one. */
export function allEventsSubject(ns: Namespace): string {
  return `${ns.prefix}auth.>`;
}

/** Durable work for the notification service (one subject per channel). */
export function notifySubject(ns: Namespace, channel: string): string {
  return `${ns.prefix}propusk.notify.${channel}`;
}

export function allNotifySubject(ns: Namespace): string {
  return `${ns.prefix}propusk.notify.>`;
}

/** Dead letters of the notification stream, kept for an operator to inspect. */
export function deadLetterSubject(ns: Namespace, channel: string): string {
  return `${ns.prefix}propusk.dead.${channel}`;
}

/** JetStream names cannot hold dots; a namespace becomes a name prefix. */
export function streamName(ns: Namespace, base: string): string {
  const p = ns.prefix === '' ? '' : `${ns.prefix.slice(0, -1).toUpperCase().replace(/-/g, '_')}_`;
  return `${p}${base}`;
}
