import { randomBytes } from 'node:crypto';
import { registrationStoreUnavailable, resendTooSoon } from './errors.js';
import type { CooldownStore, PendingRegistration, PendingRegistrationStore } from './store.js';

/** Document 000: "Код подтверждения актуален только в течении 30 минут" — the pending record lives as long. */
export const PENDING_TTL_S = 30 * 60;
/** One code request per username a minute: a repeated click costs no password hash and no message. */
export const RESEND_COOLDOWN_S = 60;

/** A running cooldown, given back when no code went out after all. */
export interface Cooldown {
  release(): Promise<void>;
}

export interface PendingRegistrations {
  /** Starts the username's resend cooldown, or refuses with `code_resend_too_soon` (details.retryAfter). */
  startCooldown(telegramUsername: string): Promise<Cooldown>;
  /** Keeps a pending registration under a new random id (the subject its code is issued for). */
  open(pending: PendingRegistration): Promise<string>;
  /** The pending registration, deleted in the same step; undefined when expired or completed. */
  take(id: string): Promise<PendingRegistration | undefined>;
  discard(id: string): Promise<void>;
}

/**
 * 144 random bits: the id names a password hash, so it must not be guessable. Hex, so it survives
 * any case folding of a subject on the way through the verification service.
 */
export function newPendingId(): string {
  return randomBytes(18).toString('hex');
}

/** Any failure of the store refuses the step (fail closed) instead of skipping a record or a cooldown. */
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw registrationStoreUnavailable();
  }
}

export function createPendingRegistrations(deps: {
  pending: PendingRegistrationStore;
  cooldowns: CooldownStore;
  newId?: () => string;
}): PendingRegistrations {
  const { pending, cooldowns, newId = newPendingId } = deps;
  return {
    async startCooldown(telegramUsername) {
      const claim = await guarded(() => cooldowns.claim(telegramUsername, RESEND_COOLDOWN_S));
      if (!claim.claimed) throw resendTooSoon(Math.max(1, Math.ceil(claim.retryAfterMs / 1000)));
      return { release: () => guarded(() => cooldowns.release(telegramUsername)) };
    },
    async open(registration) {
      const id = newId();
      await guarded(() => pending.put(id, registration, PENDING_TTL_S));
      return id;
    },
    take: (id) => guarded(() => pending.take(id)),
    discard: (id) => guarded(() => pending.drop(id)),
  };
}
