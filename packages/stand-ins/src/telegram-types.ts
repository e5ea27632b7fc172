import type { ListenOptions, Predicate } from './util.js';

// The Telegram stand-in's public shapes (telegram.ts has the server).

export interface TelegramStandInOptions extends ListenOptions {
  /** Defaults to a realistic random token like `7000000001:AA…`. */
  token?: string;
  botUsername?: string;
}

export interface TelegramUpdate {
  update_id: number;
  [field: string]: unknown;
}

export interface TelegramSentMessage {
  chat_id: number | string;
  text: string;
  message_id: number;
  [param: string]: unknown;
}

export interface TelegramFailure {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export interface TelegramStartOptions {
  chatId: number;
  username: string;
  /** Defaults to `/start`; `/start payload` keeps the bot_command entity on `/start`. */
  text?: string;
  firstName?: string;
}

export interface TelegramStandIn {
  url: string;
  /** Same as url: the value for grammY's `apiRoot` / TELEGRAM_API_ROOT. */
  apiRoot: string;
  token: string;
  botUser: Record<string, unknown>;
  /** Every method called with the right token, in order (getMe, deleteWebhook, getUpdates, …). */
  calls: string[];
  requests: { method: string; params: Record<string, unknown> }[];
  /** Recorded sendMessage calls that succeeded. */
  sent: TelegramSentMessage[];
  /** Every update pushed so far (including delivered ones). */
  updates: TelegramUpdate[];
  webhook: { url: string; secret_token?: string } | null;
  webhookDeliveries: { update_id: number; status?: number; error?: string }[];
  pushUpdate(update: Omit<TelegramUpdate, 'update_id'> & { update_id?: number }): TelegramUpdate;
  sendStart(options: TelegramStartOptions): TelegramUpdate;
  waitForMessage(
    predicate?: Predicate<TelegramSentMessage>,
    timeoutMs?: number,
  ): Promise<TelegramSentMessage>;
  waitForCall(method: string, timeoutMs?: number): Promise<void>;
  /** The next n sendMessage calls fail with this error (HTTP status = error_code). */
  failNext(n: number, failure: TelegramFailure): void;
  /** sendMessage to this chat answers 403 "bot was blocked by the user" until unblocked. */
  blockChat(chatId: number | string, blocked?: boolean): void;
  close(): Promise<void>;
}
