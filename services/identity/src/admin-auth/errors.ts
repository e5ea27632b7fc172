import { PropuskError } from '@propusk/contracts';

/**
 * The password was right but the account has no linked Telegram chat, so it is not an admin of
 * document 000 (the panel is for staff who registered through the bot). 403: known, not admitted.
 */
export function telegramNotLinked(): PropuskError {
  return new PropuskError('telegram_not_linked', 'the account has no linked Telegram chat');
}
