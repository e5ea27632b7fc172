import { normaliseTelegramUsername } from '../staff/service.js';
import type { StaffStore } from '../staff/store.js';
import type { TelegramChat, TelegramChatStore } from './store.js';

export interface TelegramChatsService {
  /**
   * The bot saw /start (contract identity.recordTelegramChat): the chat is recorded only for a
   * username on the staff allowlist (leading `@` dropped, any case); others leave no trace.
   */
  record(input: { username: string; chatId: number }): Promise<{ allowlisted: boolean }>;
  /** The chat recorded for a Telegram username (any case, `@` optional). */
  ofUsername(username: string): Promise<TelegramChat | undefined>;
  /** The chat linked to an account. */
  ofAccount(accountId: string): Promise<TelegramChat | undefined>;
}

export function createTelegramChatsService(deps: {
  staff: Pick<StaffStore, 'has'>;
  store: TelegramChatStore;
}): TelegramChatsService {
  return {
    async record({ username, chatId }) {
      const name = normaliseTelegramUsername(username);
      if (!name || !(await deps.staff.has(name))) return { allowlisted: false };
      await deps.store.record(name, chatId);
      return { allowlisted: true };
    },
    async ofUsername(username) {
      const name = normaliseTelegramUsername(username);
      return name ? deps.store.findByUsername(name) : undefined;
    },
    ofAccount: (accountId) => deps.store.findByAccountId(accountId),
  };
}
