import { PropuskError } from '@propusk/contracts';

/**
 * Errors of admin registration (document 000), with the codes contracts define for identity.
 * Profiles render them; the descriptions are for logs and NATS callers.
 */
export function notOnAllowlist(): PropuskError {
  return new PropuskError('not_on_allowlist', 'the Telegram username is not on the staff allowlist');
}

export function telegramChatMissing(): PropuskError {
  return new PropuskError(
    'telegram_chat_missing',
    'no Telegram chat recorded: press /start in the bot first',
  );
}

export function alreadyRegistered(): PropuskError {
  return new PropuskError('already_registered', 'an account with this username already exists');
}

export function registrationExpired(): PropuskError {
  return new PropuskError('registration_expired', 'the pending registration for this code is gone');
}

/** A code that is not 6 digits cannot be right: the same answer as a wrong one. */
export function malformedCode(): PropuskError {
  return new PropuskError('code_invalid', 'the code must be 6 digits');
}

/**
 * A code was requested for this username moments ago (identity's own cooldown, before any
 * password hash runs). The contract's code for exactly this case is verification's.
 */
export function resendTooSoon(retryAfterS: number): PropuskError {
  return new PropuskError(
    'code_resend_too_soon',
    `a code was requested moments ago; retry in ${retryAfterS} s`,
    {
      retryAfter: retryAfterS,
    },
  );
}

/**
 * Past the username's hourly cap of code requests (service.ts), before any password hash runs.
 * The contract's code for too many codes is verification's, which answers the same beyond it.
 */
export function requestsLimited(retryAfterS: number): PropuskError {
  return new PropuskError(
    'code_send_limited',
    `too many codes were requested for this username; retry in ${retryAfterS} s`,
    { retryAfter: retryAfterS },
  );
}

/**
 * A right code whose request a newer one of the same username replaced: it completes nothing,
 * and is answered like any dead code (the owner's newer request is what counts).
 */
export function codeSuperseded(): PropuskError {
  return new PropuskError('code_invalid', 'a newer code request for this username superseded this code');
}

/** Redis unreachable: no registration starts or finishes without its pending record (fail closed). */
export function registrationStoreUnavailable(): PropuskError {
  return new PropuskError('unavailable', 'pending registrations unavailable (Redis unreachable)');
}
