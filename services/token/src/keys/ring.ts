import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { Logger } from '@propusk/kit';
import type { Clock } from '../shared/clock.js';
import { publicJwk } from './jwks.js';
import { ACTIVATION_MARGIN_S } from './lifetimes.js';
import { HMAC_ALG, HMAC_KEY_BYTES, SIGNING_ALG, SIGNING_ALGS, type KeysService } from './service.js';
import type { StoredKey } from './store.js';

/** The asymmetric (RS256) key that signs (see `signingKeyOf`). Its private part never leaves the ring. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly key: CryptoKey;
}

/** An asymmetric key that verifies tokens now (active or retiring), pinned to its own algorithm. */
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
 * An HS256 master secret (active or retiring). Never used as is: each profile and token kind
 * signs with its own HKDF subkey of it (see hmac.ts). Never published.
 */
export interface HmacKey {
  readonly kid: string;
  readonly alg: 'HS256';
  readonly secret: Uint8Array;
  readonly retireAfter: number | null;
}

/**
 * Signing keys held in memory: signing and verifying never touch Postgres on the request path.
 * The ring re-reads the keys every `refreshMs` (so `authctl keys rotate` or another replica's
 * rotation is picked up), and at once when a token names a kid it does not know — at most
 * once per `minReloadMs`, so made-up kids cannot hammer the database. Keys come only from our
 * own store: never from a token header or a URL.
 *
 * Asymmetric and HMAC keys are kept apart: `verifying` only ever answers RS256 keys and
 * `hmacVerifying` only HS256 ones, so no verifier can be handed a key of the other kind
 * (RFC 8725 §2.1 algorithm confusion), and `publicJwks` draws on the asymmetric keys alone.
 */
export interface KeyRing {
  signing(): SigningKey;
  verifying(kid: string): Promise<VerifyingKey | undefined>;
  /** The HS256 key that signs (see `signingKeyOf`). */
  hmacSigning(): HmacKey;
  /** An HS256 key that verifies now. */
  hmacVerifying(kid: string): Promise<HmacKey | undefined>;
  /** Public JWKs of every asymmetric verifying key (RFC 7517 §5 JWK Set members); never an HMAC key. */
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
  /**
   * How old a rotated-in key must be before this ring signs with it; default `refreshMs` plus
   * ACTIVATION_MARGIN_S (see `signingKeyOf`). Every replica should use the same refreshMs.
   */
  activationDelayMs?: number;
  now?: Clock;
}

interface Snapshot {
  signing: SigningKey;
  verifying: Map<string, VerifyingKey>;
  hmacSigning: HmacKey;
  hmac: Map<string, HmacKey>;
}

function retireAfterMs(k: StoredKey): number | null {
  return k.retireAfter ? k.retireAfter.getTime() : null;
}

async function toVerifying(k: StoredKey): Promise<VerifyingKey | undefined> {
  const jwk = publicJwk(k.publicJwk);
  if (!jwk) return undefined;
  const key = (await importJWK(jwk, k.alg)) as CryptoKey;
  return { kid: k.kid, alg: k.alg, key, jwk, retireAfter: retireAfterMs(k) };
}

function toHmac(k: StoredKey): HmacKey | undefined {
  const { kty, k: secret } = k.privateJwk;
  if (kty !== 'oct' || typeof secret !== 'string') return undefined;
  const bytes = new Uint8Array(Buffer.from(secret, 'base64url'));
  if (bytes.length < HMAC_KEY_BYTES) return undefined; // RFC 7518 §3.2
  return { kid: k.kid, alg: 'HS256', secret: bytes, retireAfter: retireAfterMs(k) };
}

/** Reads the store; creates the active key of any algorithm that has none yet (first start). */
async function readKeys(keys: KeysService): Promise<StoredKey[]> {
  const stored = await keys.verifying();
  const missing = SIGNING_ALGS.filter((alg) => !stored.some((k) => k.alg === alg && k.status === 'active'));
  if (missing.length === 0) return stored;
  for (const alg of missing) await keys.ensureActive(alg);
  return keys.verifying();
}

function activeOf(stored: StoredKey[], alg: string): StoredKey {
  const active = stored.find((k) => k.alg === alg && k.status === 'active');
  if (!active) throw new Error(`no active ${alg} signing key after ensureActive`);
  return active;
}

/** When a snapshot is loaded, and how old a rotated-in key must be before it signs. */
interface LoadOptions {
  nowMs: number;
  activationDelayMs: number;
}

/**
 * The key of `alg` to sign with. Publish before signing: a key that a rotation made active
 * signs only once every verifier can hold it — each replica's ring reads it (and publishes it
 * in the JWKS) within `refreshMs` of the rotation, and a gateway that fetched the JWKS just
 * before re-fetches on the first unknown kid a few seconds later (ACTIVATION_MARGIN_S). Until
 * then the key signing now goes on signing (it is retiring, so it verifies), else the newest
 * retiring one; the active key signs at once when there is no other (first start).
 */
function signingKeyOf(
  stored: StoredKey[],
  alg: string,
  signingNow: string | undefined,
  at: LoadOptions,
): StoredKey {
  const active = activeOf(stored, alg);
  if (at.nowMs - active.createdAt.getTime() >= at.activationDelayMs) return active;
  const retiring = stored
    .filter((k) => k.alg === alg && k.status === 'retiring')
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return retiring.find((k) => k.kid === signingNow) ?? retiring[0] ?? active;
}

async function loadSnapshot(
  keys: KeysService,
  previous: Snapshot | undefined,
  at: LoadOptions,
): Promise<Snapshot> {
  const stored = await readKeys(keys);
  const verifying = new Map<string, VerifyingKey>();
  const hmac = new Map<string, HmacKey>();
  for (const k of stored) {
    if (k.alg === HMAC_ALG) {
      const h = toHmac(k);
      if (h) hmac.set(k.kid, h);
      continue;
    }
    // Re-import only new keys: importing is the expensive part.
    const known = previous?.verifying.get(k.kid);
    const v = known ? { ...known, retireAfter: retireAfterMs(k) } : await toVerifying(k);
    if (v) verifying.set(k.kid, v);
  }
  const chosen = signingKeyOf(stored, SIGNING_ALG, previous?.signing.kid, at);
  const signing =
    previous?.signing.kid === chosen.kid
      ? previous.signing
      : {
          kid: chosen.kid,
          alg: chosen.alg,
          key: (await importJWK(chosen.privateJwk, chosen.alg)) as CryptoKey,
        };
  const hmacSigning = hmac.get(signingKeyOf(stored, HMAC_ALG, previous?.hmacSigning.kid, at).kid);
  if (!hmacSigning) throw new Error('the HS256 signing key is malformed');
  return { signing, verifying, hmacSigning, hmac };
}

export async function createKeyRing(deps: KeyRingDeps): Promise<KeyRing> {
  const now = deps.now ?? Date.now;
  const minReloadMs = deps.minReloadMs ?? 5000;
  const activationDelayMs = deps.activationDelayMs ?? deps.refreshMs + ACTIVATION_MARGIN_S * 1000;
  const load = (previous: Snapshot | undefined) =>
    loadSnapshot(deps.keys, previous, { nowMs: now(), activationDelayMs });
  let snapshot = await load(undefined);
  let loadedAt = now();
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  function reload(): Promise<void> {
    // Single flight: concurrent callers share one read of the store.
    inFlight ??= (async () => {
      try {
        snapshot = await load(snapshot);
        loadedAt = now();
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  function usable<K extends { retireAfter: number | null }>(k: K | undefined): K | undefined {
    return k && (k.retireAfter === null || now() < k.retireAfter) ? k : undefined;
  }

  /** A kid of either kind that the ring holds, usable or not: no reload for it. */
  function held(kid: string): boolean {
    return snapshot.verifying.has(kid) || snapshot.hmac.has(kid);
  }

  /** Looks a kid up; an unknown one triggers one (rate-limited) reload of the store. */
  async function lookUp<K extends { retireAfter: number | null }>(
    kid: string,
    from: (s: Snapshot) => Map<string, K>,
  ): Promise<K | undefined> {
    const known = usable(from(snapshot).get(kid));
    if (known || held(kid) || now() - loadedAt < minReloadMs) return known;
    try {
      await reload();
    } catch (err) {
      deps.log.warn({ err }, 'signing keys reload failed; keeping the keys in memory');
    }
    return usable(from(snapshot).get(kid));
  }

  return {
    signing: () => snapshot.signing,
    verifying: (kid) => lookUp(kid, (s) => s.verifying),
    hmacSigning: () => snapshot.hmacSigning,
    hmacVerifying: (kid) => lookUp(kid, (s) => s.hmac),
    publicJwks: () => [...snapshot.verifying.values()].flatMap((k) => usable(k)?.jwk ?? []),
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
