import { Pool, type Dispatcher } from 'undici';
import type { ServiceName } from '@propusk/contracts';
import { CLOSING_HEADER, counter, SIGNATURE_HEADER, signRequest, type Logger } from '@propusk/kit';

/**
 * The replicas of each service behind the gateway: each upstream setting (IDENTITY_URL, …)
 * lists one base URL per replica; requests go round-robin among them, each replica with its
 * own keep-alive pool (undici). In Kubernetes one Service URL per service is enough: the
 * Service spreads connections over the pods, and this does the same for a list of addresses.
 *
 * A request goes to another replica only when it certainly reached no service:
 * - the connection could not be made (refused, connect timeout, unreachable): undici keeps a
 *   request that was not yet written when a kept-alive socket turned out closed, reconnects,
 *   and reports the connect failure;
 * - the replica answered kit's closing notice (503 + `x-propusk-closing`: it is shutting down
 *   and did nothing).
 * A request written to a replica that then failed (reset, timeout, any answer) is never sent
 * again: it may have been acted on (a code sent, an account created). Either failover marks
 * the replica down for DOWN_FOR_MS: others are tried first meanwhile (a mark is a hint, not a
 * verdict: when every replica is marked, they are all tried).
 */

/** How long a replica that could not be reached is passed over. */
export const DOWN_FOR_MS = 2000;
/** A connect that takes longer than this counts as not made (another replica is tried). */
export const CONNECT_TIMEOUT_MS = 2000;

/** Errors undici raises only before a request is written: connecting failed. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const failovers = counter(
  'propusk_gateway_upstream_failovers_total',
  'Requests the gateway took to another replica, by service and reason (unreachable, closing)',
  ['service', 'reason'],
);

interface Replica {
  /** Where it is, for logs: host and port only. */
  readonly host: string;
  /** Path of the base URL, prefixed to every request target ('' for none). */
  readonly prefix: string;
  readonly pool: Pool;
  downUntil: number;
}

type Callback = (err: Error | null, data?: Dispatcher.ResponseData) => void;

/** What reply-from calls (its `undici` option takes any object with a Dispatcher's `request`). */
export interface UpstreamBalancer {
  /** The origin to give reply-from for a service's requests; `request` maps it back. */
  originOf(service: ServiceName): string;
  request(options: Dispatcher.RequestOptions, callback: Callback): void;
  close(): Promise<void>;
}

/** A placeholder host per service (RFC 6761 §6.4: `.invalid` never resolves). */
const originFor = (service: string) => `http://${service}.upstream.invalid`;

function replicaOf(base: string): Replica {
  const url = new URL(base);
  return {
    host: url.host,
    prefix: url.pathname.replace(/\/+$/, ''),
    pool: new Pool(url.origin, { connectTimeout: CONNECT_TIMEOUT_MS, pipelining: 1 }),
    downUntil: 0,
  };
}

function errorCode(err: Error): string | undefined {
  return (err as Error & { code?: string }).code;
}

export function createUpstreamBalancer(deps: {
  upstreams: Readonly<Record<ServiceName, string | readonly string[]>>;
  log: Logger;
  now?: () => number;
  /**
   * Signs each request as it goes to a replica (kit's internal-auth.ts): here the target is
   * final (the replica's prefix included) and a failover is signed afresh.
   */
  internalSecret?: string | undefined;
}): UpstreamBalancer {
  const now = deps.now ?? Date.now;
  const services = new Map<string, { name: ServiceName; replicas: Replica[]; next: number }>();
  for (const [name, bases] of Object.entries(deps.upstreams) as [ServiceName, string | readonly string[]][]) {
    const list = typeof bases === 'string' ? [bases] : bases;
    if (list.length === 0) throw new Error(`no base URL for ${name}`);
    services.set(originFor(name), { name, replicas: list.map(replicaOf), next: 0 });
  }

  /** Every replica once, round-robin from the next one; replicas marked down go last. */
  function order(s: { replicas: Replica[]; next: number }): Replica[] {
    const start = s.next;
    s.next = (s.next + 1) % s.replicas.length;
    const turn = s.replicas.map((_, i) => s.replicas[(start + i) % s.replicas.length] as Replica);
    const t = now();
    return [...turn.filter((r) => r.downUntil <= t), ...turn.filter((r) => r.downUntil > t)];
  }

  return {
    originOf: originFor,

    request(options, callback) {
      const service = services.get(String(options.origin));
      if (!service) {
        callback(new Error(`no upstream for ${String(options.origin)}`));
        return;
      }
      const replicas = order(service);

      const attempt = (i: number): void => {
        const replica = replicas[i] as Replica;
        const last = i === replicas.length - 1;
        const passOver = (reason: string, detail: string | undefined): boolean => {
          replica.downUntil = now() + DOWN_FOR_MS;
          if (last) return false;
          failovers.inc({ service: service.name, reason });
          deps.log.warn(
            { upstream: service.name, replica: replica.host, reason, code: detail },
            'upstream replica passed over; trying another',
          );
          attempt(i + 1);
          return true;
        };
        const { origin: _origin, ...rest } = options;
        const path = `${replica.prefix}${options.path}`;
        const headers: Record<string, string> = {
          ...(options.headers as Record<string, string>),
          host: replica.host,
        };
        if (deps.internalSecret !== undefined) {
          headers[SIGNATURE_HEADER] = signRequest(deps.internalSecret, {
            method: options.method,
            target: path,
            headers,
          });
        }
        replica.pool.request({ ...rest, path, headers }, (err, data) => {
          if (err) {
            if (NOT_CONNECTED.has(errorCode(err) ?? '') && passOver('unreachable', errorCode(err))) return;
            callback(err);
            return;
          }
          if (data.statusCode === 503 && data.headers[CLOSING_HEADER] !== undefined) {
            // Nothing was done: the replica refused the request because it is shutting down.
            data.body.dump().catch(() => undefined);
            if (passOver('closing', undefined)) return;
            callback(
              Object.assign(new Error('every replica is shutting down'), { code: 'UPSTREAM_CLOSING' }),
            );
            return;
          }
          callback(null, data);
        });
      };
      attempt(0);
    },

    async close() {
      await Promise.all(
        [...services.values()].flatMap((s) => s.replicas.map((r) => r.pool.close().catch(() => undefined))),
      );
    },
  };
}
