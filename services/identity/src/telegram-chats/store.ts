/**
 * Telegram chats recorded by the bot when a user pressed /start (document 000: "иметь начатый
 * диалог с ботом"), keyed by the lower-cased Telegram username, linked to an account once one
 * exists for the username.
 */
export interface TelegramChat {
  /** Lower-cased, without `@` (as the allowlist holds it). */
  username: string;
  chatId: number;
  /** The account the chat belongs to; null until the username has an account. */
  accountId: string | null;
}

export interface TelegramChatStore {
  /**
   * Records (or moves) the chat of `username`. A chat already linked stays linked to its account;
   * an unlinked one is linked to the account whose username equals `username` ignoring case, when
   * there is one without a chat.
   */
  record(username: string, chatId: number): Promise<void>;
  findByUsername(username: string): Promise<TelegramChat | undefined>;
  findByAccountId(accountId: string): Promise<TelegramChat | undefined>;
}
