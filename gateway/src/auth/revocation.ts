import { revokedKey, type SessionRevokedEvent } from '@propusk/contracts';
import { unavailable } from './errors.js';

/**
 * Is a token revoked? Two sources, both keyed by contracts' tokenId:
 * - a local list fed by `auth.session.revoked` events (instant, may miss events while NATS
 *   is away: it is only a fast path);
 * - the token service's record in Redis, `revokedKey(tokenId)` (the truth, written before the
 *   logout is answered). A Redis failure is `unavailable`: an unverifiable token never passes.
 */
export interface RevocationList {
  isRevoked(id: string): Promise<boolean>;
  /** Only the local list, no I/O: for cache hits. */
  isLocallyRevoked(id: string): boolean;
  add(event: SessionRevokedEvent): void;
  readonly size: number;
}

/** EXISTS on the (namespaced) Redis client; rejects when Redis is unreachable. */
export type RecordExists = (key: string) => Promise<boolean>;

export interface RevocationListOptions {
  exists: RecordExists;
  /** Bound of the local list; the oldest entries go first (Redis still has them). */
  max?: number;
  /** Kept past the token's expiry by the verifiers' clock leeway (RFC 7519 §4.1.4). */
  graceMs?: number;
  now?: () => number;
}

export function createRevocationList({
  exists,
  max = 100_000,
  graceMs = 60_000,
  now = Date.now,
}: RevocationListOptions): RevocationList {
  /** token id → expiry in ms: past it the token is dead anyway. */
  const local = new Map<string, number>();

  function isLocallyRevoked(id: string): boolean {
    const exp = local.get(id);
    if (exp === undefined) return false;
    if (exp > now()) return true;
    local.delete(id);
    return false;
  }

  return {
    isLocallyRevoked,
    async isRevoked(id) {
      if (isLocallyRevoked(id)) return true;
      try {
        return await exists(revokedKey(id));
      } catch (err) {
        throw unavailable(`revocation check failed (${(err as Error).message})`);
      }
    },
    add(event) {
      const expMs = event.exp * 1000 + graceMs;
      if (expMs <= now()) return;
      local.delete(event.jti);
      local.set(event.jti, expMs);
      while (local.size > max) {
        const oldest = local.keys().next().value;
        if (oldest === undefined) break;
        local.delete(oldest);
      }
    },
    get size() {
      return local.size;
    },
  };
}
