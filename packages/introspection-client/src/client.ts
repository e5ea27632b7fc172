import { namespace as namespaceOf, tokenOps, validate, type IntrospectionResult } from '@propusk/contracts';
import { createRpcClient, type NatsConnection } from '@propusk/kit';

export interface IntrospectionClientOptions {
  /** A connection of the calling service (kit's `rt.nats.nc`); the client never closes it. */
  nats: NatsConnection;
  /** The suite's PROPUSK_NAMESPACE (empty in production, the default). */
  namespace?: string;
  /** How long one call waits for the token service before `timeout`; kit's RPC_TIMEOUT_MS default. */
  timeoutMs?: number;
}

export interface CallOptions {
  /** Carried as `x-request-id`, so the call can be followed in the token service's logs. */
  requestId?: string;
}

export interface IntrospectionClient {
  /**
   * RFC 7662 §2.2 over NATS (`tokenOps.introspect`): `{active: false}` and nothing else for any
   * token that is not live (unknown, malformed, expired, revoked); when active, the members the
   * token service answers (`sub`, `username`, `profile`, `token_type`, `roles`, `jti`, `iat`,
   * `exp`, `iss`).
   */
  introspect(token: string, opts?: CallOptions): Promise<IntrospectionResult>;
  /**
   * RFC 7009 over NATS (`tokenOps.revoke`): true when this call revoked the token, false when
   * it was unknown, invalid, expired or revoked already (§2.2: not an error).
   */
  revoke(token: string, opts?: CallOptions): Promise<boolean>;
}

/** What an inactive token introspects as (RFC 7662 §2.2: `active` alone). */
const INACTIVE: IntrospectionResult = Object.freeze({ active: false });

/** Kit's default RPC timeout (RPC_TIMEOUT_MS). */
const DEFAULT_TIMEOUT_MS = 5000;

/**
 * The token service's introspection and revocation for internal services, over NATS request/
 * reply (kit's RPC client): requests and replies are validated against contracts' schemas, and
 * every failure is a typed `PropuskError` — `unavailable` (no token service answering, or its
 * Redis down: never read as inactive), `timeout`, `invalid_reply`.
 *
 * A token the contract cannot carry (empty, longer than its 8192 characters, not a string) is
 * none the token service issued: it introspects inactive and revokes nothing without a call, so
 * a resource server can hand over whatever a client sent.
 */
export function createIntrospectionClient(options: IntrospectionClientOptions): IntrospectionClient {
  const client = createRpcClient(options.nats, namespaceOf(options.namespace ?? ''), {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const carried = (token: string) => validate(tokenOps.introspect.request, { token });
  return {
    async introspect(token, opts = {}) {
      if (!carried(token)) return INACTIVE;
      return client.call(tokenOps.introspect, { token }, opts);
    },
    async revoke(token, opts = {}) {
      if (!carried(token)) return false;
      return (await client.call(tokenOps.revoke, { token }, opts)).revoked;
    },
  };
}
