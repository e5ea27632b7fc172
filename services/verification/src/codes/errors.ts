import { PropuskError } from '@propusk/contracts';

/**
 * Errors of one-time codes, as contracts' verification.ts names them. Descriptions never
 * carry the code, the subject or the destination: they travel to callers and into logs.
 */

/** Wrong, expired, used or dead: one answer, so a guesser learns nothing from it. */
export function codeInvalid(): PropuskError {
  return new PropuskError('code_invalid', 'wrong, expired or already used code');
}

/** Seconds for `details.retryAfter`: whole, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export function resendTooSoon(retryAfterMs: number): PropuskError {
  const retryAfter = retryAfterSeconds(retryAfterMs);
  return new PropuskError('code_resend_too_soon', `a code was sent moments ago; retry in ${retryAfter} s`, {
    retryAfter,
  });
}

export function sendLimited(retryAfterMs: number): PropuskError {
  const retryAfter = retryAfterSeconds(retryAfterMs);
  return new PropuskError(
    'code_send_limited',
    `too many codes sent to this destination or from this address; retry in ${retryAfter} s`,
    { retryAfter },
  );
}

export function attemptsLimited(retryAfterMs: number): PropuskError {
  const retryAfter = retryAfterSeconds(retryAfterMs);
  return new PropuskError('code_attempts_limited', `too many wrong codes; retry in ${retryAfter} s`, {
    retryAfter,
  });
}

/** A check without a subject for a purpose that is looked up by subject. */
export function subjectRequired(purpose: string): PropuskError {
  return new PropuskError('invalid_request', `purpose ${purpose} is checked with its subject`);
}

/** Redis unreachable: no code is issued or accepted without it (fail closed). */
export function storeUnavailable(): PropuskError {
  return new PropuskError(
    'unavailable',
    'code store unavailable (Redis unreachable); nothing issued or accepted',
  );
}

/** JetStream did not acknowledge the message: the code was withdrawn, the caller may retry at once. */
export function notQueued(): PropuskError {
  return new PropuskError('unavailable', 'the code message could not be queued; nothing was issued, retry');
}

/** Every generated code collided with a live one of the purpose (a full code space). */
export function noFreeCode(): PropuskError {
  return new PropuskError('unavailable', 'no free code for this purpose right now; retry later');
}
