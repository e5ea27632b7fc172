/**
 * A bounded LRU of verified tokens keyed by token id, each entry living until its own expiry.
 * `delete` leaves a short tombstone (and `clear` a mark): a verification that started before
 * (and may have read the token's state before it was revoked) cannot put the token back afterwards.
 */
export interface VerifiedCache<V> {
  get(key: string): V | undefined;
  /** `startedAtMs`: when the verification that produced `value` began. */
  set(key: string, value: V, expiresAtMs: number, startedAtMs: number): void;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
}

export interface VerifiedCacheOptions {
  max: number;
  /** How long a deleted key refuses values verified before its deletion. */
  tombstoneMs?: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expiresAtMs: number;
}

export function createVerifiedCache<V>({
  max,
  tombstoneMs = 30_000,
  now = Date.now,
}: VerifiedCacheOptions): VerifiedCache<V> {
  const entries = new Map<string, Entry<V>>();
  const tombstones = new Map<string, number>();
  let clearedAt = -Infinity;

  function pruneTombstones(at: number): void {
    // Map order is insertion order: the oldest tombstones come first.
    for (const [key, deletedAt] of tombstones) {
      if (at - deletedAt < tombstoneMs && tombstones.size <= max) break;
      tombstones.delete(key);
    }
  }

  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAtMs <= now()) return undefined;
      entries.set(key, entry); // most recently used last
      return entry.value;
    },
    set(key, value, expiresAtMs, startedAtMs) {
      const at = now();
      if (expiresAtMs <= at) return;
      const deletedAt = tombstones.get(key);
      if (deletedAt !== undefined && deletedAt >= startedAtMs) return;
      if (clearedAt >= startedAtMs) return;
      entries.delete(key);
      entries.set(key, { value, expiresAtMs });
      while (entries.size > max) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    delete(key) {
      const at = now();
      entries.delete(key);
      tombstones.delete(key);
      tombstones.set(key, at);
      pruneTombstones(at);
    },
    clear() {
      clearedAt = now();
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
