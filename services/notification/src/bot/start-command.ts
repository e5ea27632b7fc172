import type { Logger } from '@propusk/kit';
import { BOT_MESSAGES } from './messages.js';

export interface ChatRecorder {
  /** identityOps.recordTelegramChat: records the chat when the username is allowlisted. */
  (req: { username: string; chatId: number }): Promise<{ allowlisted: boolean }>;
}

export interface StartCommandDeps {
  recordChat: ChatRecorder;
  log: Logger;
}

/**
 * The answer to `/start` (with or without a payload) in a private chat. The username is what
 * the staff allowlist holds; a user without one cannot be matched, so they are told to set
 * it. Identity being unreachable is answered, never thrown: the user can simply try again.
 */
export async function answerStart(
  username: string | undefined,
  chatId: number,
  { recordChat, log }: StartCommandDeps,
): Promise<string> {
  if (!username) return BOT_MESSAGES.noUsername;
  try {
    const { allowlisted } = await recordChat({ username, chatId });
    log.info({ allowlisted }, 'telegram /start handled');
    return allowlisted ? BOT_MESSAGES.allowlisted : BOT_MESSAGES.notAllowlisted;
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'telegram /start: identity unavailable');
    return BOT_MESSAGES.tryLater;
  }
}
