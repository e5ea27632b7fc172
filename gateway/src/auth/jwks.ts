import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { Logger } from '@propusk/kit';
import { isPropuskError } from '@propusk/contracts';
import { unavailable } from './errors.js';

/**
 * The public keys that verify tokens, as the token service publishes them (RFC 7517 JWK Set,
 * over NATS `tokenOps.jwks`). Keys come only from there: a key or key URL inside a token
 * (`jwk`, `jku`, `x5u`, `x5c`) is never used (RFC 8725 §3.10).
 */
export type JwksSource = () => Promise<{ keys: ReadonlyArray<Record<string, unknown>> }>;

export interface VerificationKey {
  readonly kid: string;
  /** The one algorithm this key verifies (RFC 8725 §3.1: each key pinned to one algorithm). */
  readonly alg: string;
  readonly key: CryptoKey;
}

export interface KeySet {
  /**
   * The key named `kid`. An unknown kid refreshes the set, at most once per `minRefreshMs`
   * (a stream of forged kids cannot turn into a stream of requests); answers undefined when
   * the kid is still unknown. Throws `unavailable` when no key set could be loaded at all.
   */
  find(kid: string): Promise<VerificationKey | undefined>;
  refresh(): Promise<void>;
  /** Refreshes every `refreshMs` in the background (rotation, retirement). */
  start(): void;
  stop(): void;
}

export interface KeySetOptions {
  source: JwksSource;
  log: Logger;
  minRefreshMs?: number;
  refreshMs?: number;
  now?: () => number;
}

/** Asymmetric signature algorithms only (RFC 7518 §3.1, RFC 8037): a symmetric key is never published. */
const ASYMMETRIC_ALGS = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

/** Public members only (RFC 7517/7518 §6): private parameters are never imported. */
const PUBLIC_MEMBERS = ['kty', 'n', 'e', 'crv', 'x', 'y'] as const;

async function importPublicKey(jwk: Record<string, unknown>): Promise<VerificationKey | string> {
  const { kid, alg, use } = jwk;
  if (typeof kid !== 'string' || kid === '') return 'no kid';
  if (typeof alg !== 'string' || !ASYMMETRIC_ALGS.has(alg))
    return `kid ${kid}: alg ${String(alg)} not accepted`;
  if (use !== undefined && use !== 'sig') return `kid ${kid}: use ${String(use)}`;
  const publicJwk: JWK = {};
  for (const m of PUBLIC_MEMBERS) if (typeof jwk[m] === 'string') publicJwk[m] = jwk[m];
  try {
    const key = await importJWK(publicJwk, alg);
    if (key instanceof Uint8Array) return `kid ${kid}: symmetric`;
    return { kid, alg, key };
  } catch (err) {
    return `kid ${kid}: ${(err as Error).message}`;
  }
}

export function createKeySet({
  source,
  log,
  minRefreshMs = 5_000,
  refreshMs = 5 * 60_000,
  now = Date.now,
}: KeySetOptions): KeySet {
  let keys: ReadonlyMap<string, VerificationKey> | undefined;
  let lastAttemptAt = -Infinity;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function load(): Promise<void> {
    lastAttemptAt = now();
    let jwks: Awaited<ReturnType<JwksSource>>;
    try {
      jwks = await source();
    } catch (err) {
      const detail = isPropuskError(err) ? `${err.code}: ${err.message}` : (err as Error).message;
      throw unavailable(`signing keys could not be loaded (${detail})`);
    }
    const next = new Map<string, VerificationKey>();
    for (const jwk of jwks.keys) {
      const imported = await importPublicKey(jwk);
      if (typeof imported === 'string') log.warn({ reason: imported }, 'jwks: key skipped');
      else next.set(imported.kid, imported);
    }
    keys = next;
    log.debug({ kids: [...next.keys()] }, 'jwks loaded');
  }

  function refresh(): Promise<void> {
    inFlight ??= load().finally(() => (inFlight = undefined));
    return inFlight;
  }

  return {
    async find(kid) {
      const known = keys?.get(kid);
      if (known) return known;
      if (keys === undefined || now() - lastAttemptAt >= minRefreshMs) {
        await refresh();
      } else if (inFlight) {
        await inFlight;
      }
      return keys?.get(kid);
    },
    refresh,
    start() {
      timer ??= setInterval(() => {
        refresh().catch((err: Error) => log.warn({ err: err.message }, 'jwks refresh failed'));
      }, refreshMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
