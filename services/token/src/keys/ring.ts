import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { Logger } from '@propusk/kit';
import type { Clock } from '../shared/clock.js';
import { publicJwk } from './jwks.js';
import type { KeysService } from './service.js';
import type { StoredKey } from './store.js';

/** The active key, ready to sign. Its private part never leaves the ring. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly key: CryptoKey;
}

/** A key that verifies tokens now (active or retiring), pinned to its own algorithm. */
export interface VerifyingKey {
  readonly kid: string;
  readonly alg: string;
  readonly key: CryptoKey;
  /** The public JWK only (see jwks.ts). */
  readonly jwk: JWK;
  /** Epoch ms after which the key no longer verifies; null while active. */
  readonly retireAfter: number | null;
}

/**
 * Signing keys held in memory: signing and verifying never touch Postgres on the request path.
 * The ring re-reads the keys every `refreshMs` (so `authctl keys rotate` or another replica's
 * rotation is picked up), and at once when a token names a kid it does not know — at most
 * once per `minReloadMs`, so made-up kids cannot hammer the database. Keys come only from our
 * own store: never from a token header or a URL.
 */
export interface KeyRing {
  signing(): SigningKey;
  verifying(kid: string): Promise<VerifyingKey | undefined>;
  /** Public JWKs of every verifying key (RFC 7517 §5 JWK Set members). */
  publicJwks(): JWK[];
  reload(): Promise<void>;
  /** Starts the periodic refresh; `stop` ends it. */
  start(): void;
  stop(): void;
}

export interface KeyRingDeps {
  keys: KeysService;
  log: Logger;
  refreshMs: number;
  minReloadMs?: number;
  now?: Clock;
}

interface Snapshot {
  signing: SigningKey;
  verifying: Map<string, VerifyingKey>;
}

async function toVerifying(k: StoredKey): Promise<VerifyingKey | undefined> {
  const jwk = publicJwk(k.publicJwk);
  if (!jwk) return undefined;
  const key = (await importJWK(jwk, k.alg)) as CryptoKey;
  return { kid: k.kid, alg: k.alg, key, jwk, retireAfter: k.retireAfter ? k.retireAfter.getTime() : null };
}

async function loadSnapshot(keys: KeysService, previous: Snapshot | undefined): Promise<Snapshot> {
  let stored = await keys.verifying();
  if (!stored.some((k) => k.status === 'active')) {
    await keys.ensureActive();
    stored = await keys.verifying();
  }
  const active = stored.find((k) => k.status === 'active');
  if (!active) throw new Error('no active signing key after ensureActive');
  const verifying = new Map<string, VerifyingKey>();
  for (const k of stored) {
    // Re-import only new keys: importing is the expensive part.
    const known = previous?.verifying.get(k.kid);
    const v = known ? { ...known, retireAfter: k.retireAfter?.getTime() ?? null } : await toVerifying(k);
    if (v) verifying.set(k.kid, v);
  }
  const signing =
    previous?.signing.kid === active.kid
      ? previous.signing
      : {
          kid: active.kid,
          alg: active.alg,
          key: (await importJWK(active.privateJwk, active.alg)) as CryptoKey,
        };
  return { signing, verifying };
}

export async function createKeyRing(deps: KeyRingDeps): Promise<KeyRing> {
  const now = deps.now ?? Date.now;
  const minReloadMs = deps.minReloadMs ?? 5000;
  let snapshot = await loadSnapshot(deps.keys, undefined);
  let loadedAt = now();
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  function reload(): Promise<void> {
    // Single flight: concurrent callers share one read of the store.
    inFlight ??= (async () => {
      try {
        snapshot = await loadSnapshot(deps.keys, snapshot);
        loadedAt = now();
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  function usable(kid: string): VerifyingKey | undefined {
    const k = snapshot.verifying.get(kid);
    return k && (k.retireAfter === null || now() < k.retireAfter) ? k : undefined;
  }

  return {
    signing: () => snapshot.signing,
    async verifying(kid) {
      const known = usable(kid);
      if (known || snapshot.verifying.has(kid) || now() - loadedAt < minReloadMs) return known;
      try {
        await reload();
      } catch (err) {
        deps.log.warn({ err }, 'signing keys reload failed; keeping the keys in memory');
      }
      return usable(kid);
    },
    publicJwks: () => [...snapshot.verifying.keys()].flatMap((kid) => usable(kid)?.jwk ?? []),
    reload,
    start() {
      timer ??= setInterval(() => {
        reload().catch((err: unknown) =>
          deps.log.warn({ err }, 'signing keys refresh failed; keeping the keys in memory'),
        );
      }, deps.refreshMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
