import { PropuskError } from '@propusk/contracts';

/**
 * The password was right but the account has no linked Telegram chat, so it is not an admin of
 * document 000 (the panel is for staff who registered through the bot). 403: known, not admitted.
 * Contracts have no code of its own; `not_on_allowlist` (403) is the nearest.
 */
export function telegramNotLinked(): PropuskError {
  return new PropuskError('not_on_allowlist', 'the account has no linked Telegram chat', {
    reason: 'telegram_not_linked',
  });
}
