import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request id of the work in progress, carried implicitly across awaits: an HTTP request
 * (kit's HTTP bootstrap) or a NATS request (kit's RPC server) opens a scope, and every RPC call
 * or queued notification made inside it sends the same id on (header `x-request-id`), so one
 * login can be followed through the gateway and every service's logs without each call site
 * having to pass it by hand. Explicit `requestId` options still win.
 */
interface RequestScope {
  readonly requestId: string;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** The id of the request this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return scopes.getStore()?.requestId;
}

/** Runs `fn` (and everything it awaits or schedules) as part of the request `requestId`. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return scopes.run({ requestId }, fn);
}
