import { createHash } from 'node:crypto';
import { PropuskError } from '@propusk/contracts';
import { failClosed, ipBucket } from '@propusk/kit';
import type { ClientCredentials } from './credentials.js';
import type { ClientAuthenticator } from './service.js';

/**
 * Online guessing of client secrets at /oauth2/introspect and /oauth2/revoke (RFC 6749 §10.10:
 * the server "MUST prevent attackers from guessing ... client credentials"). Failed client
 * authentications are counted per (client id, client address) and, with a larger budget, per
 * client id from every address; a client id at either limit is refused for the rest of the
 * window, its right secret included, so a refusal says nothing about the guess. A right secret
 * is never counted; the owner's calls from another address go on while one address is locked,
 * until the attack as a whole spends the client id's budget (docs/SECURITY.md, "Known limits").
 */
export interface ClientAuthLimits {
  /** Failed authentications per client id from one address (IPv6 per /64) in one window. */
  readonly perAddress: number;
  /** Failed authentications per client id from all addresses together in one window. */
  readonly perClient: number;
  readonly windowS: number;
}

/** A counter and the value at which it refuses (kit's counters.ts semantics). */
export interface ClientCounter {
  readonly key: string;
  readonly limit: number;
}

export type CounterTake =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** What the throttle needs from storage (Redis: redis-throttle-store.ts). */
export interface ClientThrottleStore {
  /** Atomically counts one on every counter, or none when any is at its limit (kit's take). */
  take(counters: readonly ClientCounter[], windowMs: number): Promise<CounterTake>;
  /** Counts nothing: the longest wait of the counters at their limit, 0 when none is. */
  lockedFor(counters: readonly ClientCounter[]): Promise<number>;
}

export type ClientAuthVerdict =
  | { readonly outcome: 'authenticated'; readonly client: string }
  /** Wrong or unknown credentials, counted: 401 invalid_client. */
  | { readonly outcome: 'refused' }
  /** Over a budget: nothing was said about the credentials (429, Retry-After). */
  | { readonly outcome: 'throttled'; readonly retryAfterS: number };

export interface ClientAuthGuard {
  /** Verifies presented credentials from `address` under the failure budgets. */
  authenticate(presented: ClientCredentials, address: string | undefined): Promise<ClientAuthVerdict>;
}

/**
 * Counter keys (Redis adds the namespace prefix). The id is hashed (it is whatever a caller
 * sent) and is the hash tag, so both counters of a client lie in one slot of a Redis Cluster and
 * are taken by one script.
 */
export function clientCounterKeys(id: string, address: string | undefined) {
  const tag = `{client-auth:${createHash('sha256').update(id).digest('base64url')}}`;
  return {
    perAddress: `throttle:${tag}:ip:${address === undefined ? 'none' : ipBucket(address)}`,
    perClient: `throttle:${tag}:all`,
  };
}

/** Storage unreachable: refuse (fail closed; DESIGN "Security baseline"), the route answers 503. */
const guarded = <T>(call: () => Promise<T>): Promise<T> =>
  failClosed(
    call,
    () => new PropuskError('unavailable', 'client authentication throttle unavailable (Redis unreachable)'),
  );

const throttled = (waitMs: number): ClientAuthVerdict => ({
  outcome: 'throttled',
  retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)),
});

export function createClientAuthGuard(deps: {
  clients: ClientAuthenticator;
  store: ClientThrottleStore;
  limits: ClientAuthLimits;
}): ClientAuthGuard {
  const { clients, store, limits } = deps;
  return {
    async authenticate(presented, address) {
      const keys = clientCounterKeys(presented.id, address);
      const counters = [
        { key: keys.perAddress, limit: limits.perAddress },
        { key: keys.perClient, limit: limits.perClient },
      ];
      // The comparison is constant-time and cheap, so it runs first; only its outcome decides
      // what is counted. A right secret counts nothing but is refused, like any guess, while a
      // budget is spent: a 429 never tells a right guess from a wrong one.
      const client = clients.verify(presented);
      if (client !== undefined) {
        const waitMs = await guarded(() => store.lockedFor(counters));
        return waitMs > 0 ? throttled(waitMs) : { outcome: 'authenticated', client };
      }
      // A failure is answered as one only once it is counted (atomically), so a burst of
      // parallel guesses gets at most the budget's worth of answers.
      const taken = await guarded(() => store.take(counters, limits.windowS * 1000));
      return taken.allowed ? { outcome: 'refused' } : throttled(taken.retryAfterMs);
    },
  };
}
