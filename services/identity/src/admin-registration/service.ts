import { randomBytes } from 'node:crypto';
import { failClosed, ipBucket } from '@propusk/kit';
import { registrationStoreUnavailable, requestsLimited, resendTooSoon } from './errors.js';
import type {
  CooldownStore,
  PendingRegistration,
  PendingRegistrationStore,
  PendingTake,
  RequestCounterStore,
} from './store.js';

/** Document 000: "Код подтверждения актуален только в течении 30 минут" — the pending record lives as long. */
export const PENDING_TTL_S = 30 * 60;

/**
 * Flood protection of step one, chosen so that nobody can lock the chat's owner out of his own
 * request (issue 15: whoever knows a staff username could request first, and the owner's request
 * answered 429 while the code for the stranger's password sat in his chat):
 *
 * - The resend cooldown is per (username, client address): a repeated click costs no password
 *   hash and no message, but another client's request never makes the owner wait.
 * - Every request that passes it counts towards a per-username cap in the hour, checked before
 *   the hash too, so many addresses together cannot bomb the chat either (verification adds its
 *   own per-chat and per-IP hourly limits behind this one).
 * - A newer request supersedes the older one (one pending registration per username), so the
 *   owner's request kills a stranger's code, and every message names the time and the address
 *   of its request. Someone who keeps requesting after the owner can delay him (up to the cap) but
 *   never have his own password set, unless the owner enters a code whose message names a
 *   request that was not his.
 */
export const RESEND_COOLDOWN_S = 60;
export const REQUESTS_PER_USERNAME = 5;
export const REQUEST_WINDOW_S = 60 * 60;

/** An admitted request's cooldown and count, given back when no code went out after all. */
export interface Admission {
  release(): Promise<void>;
}

export interface PendingRegistrations {
  /**
   * Admits one code request of the username from the address: `code_resend_too_soon` while this
   * client's cooldown runs, `code_send_limited` past the username's hourly cap (details.retryAfter).
   */
  admit(telegramUsername: string, ip: string | undefined): Promise<Admission>;
  /** Keeps the username's pending registration under a new random id, superseding any older one. */
  open(telegramUsername: string, pending: Omit<PendingRegistration, 'id'>): Promise<string>;
  /** The pending registration `id` of the username, deleted in the same step, unless superseded or gone. */
  take(telegramUsername: string, id: string): Promise<PendingTake>;
  /** Deletes the username's pending registration `id`, if still the current one. */
  discard(telegramUsername: string, id: string): Promise<void>;
}

/**
 * 144 random bits: the id names a password hash, so it must not be guessable. Hex, so it survives
 * any case folding of a subject on the way through the verification service.
 */
export function newPendingId(): string {
  return randomBytes(18).toString('hex');
}

/** The client as the cooldown knows it: its ipBucket (IPv6 per /64), `-` without an address. */
export function clientKey(ip: string | undefined): string {
  return ip ? ipBucket(ip) : '-';
}

/** Any failure of the store refuses the step (fail closed) instead of skipping a record or a limit. */
const guarded = <T>(call: () => Promise<T>): Promise<T> => failClosed(call, registrationStoreUnavailable);

const toSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function createPendingRegistrations(deps: {
  pending: PendingRegistrationStore;
  cooldowns: CooldownStore;
  requests: RequestCounterStore;
  newId?: () => string;
}): PendingRegistrations {
  const { pending, cooldowns, requests, newId = newPendingId } = deps;
  return {
    async admit(telegramUsername, ip) {
      const address = clientKey(ip);
      const claim = await guarded(() => cooldowns.claim(telegramUsername, address, RESEND_COOLDOWN_S));
      if (!claim.claimed) throw resendTooSoon(toSeconds(claim.retryAfterMs));
      let counted;
      try {
        counted = await guarded(() =>
          requests.take(telegramUsername, REQUESTS_PER_USERNAME, REQUEST_WINDOW_S),
        );
      } catch (err) {
        await cooldowns.release(telegramUsername, address).catch(() => undefined);
        throw err;
      }
      if (!counted.allowed) {
        // Refused before any work: this client may ask again as soon as the cap allows.
        await guarded(() => cooldowns.release(telegramUsername, address));
        throw requestsLimited(toSeconds(counted.retryAfterMs));
      }
      return {
        release: () =>
          guarded(() =>
            Promise.all([cooldowns.release(telegramUsername, address), requests.giveBack(telegramUsername)]),
          ).then(() => undefined),
      };
    },
    async open(telegramUsername, registration) {
      const id = newId();
      await guarded(() => pending.put(telegramUsername, { id, ...registration }, PENDING_TTL_S));
      return id;
    },
    take: (telegramUsername, id) => guarded(() => pending.take(telegramUsername, id)),
    discard: (telegramUsername, id) => guarded(() => pending.drop(telegramUsername, id)),
  };
}
