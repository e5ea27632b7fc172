import { Api, GrammyError, HttpError } from 'grammy';
import type { Notification } from '@propusk/contracts';
import { ChannelError, type Channel } from './channel.js';

export interface TelegramChannelOptions {
  token: string;
  /** TELEGRAM_API_ROOT, no trailing slash (grammY's `apiRoot`). */
  apiRoot: string;
  timeoutMs: number;
}

type GrammySignal = Parameters<Api['sendMessage']>[3];

/** Telegram DMs through grammY's Bot API client: `to` is the chat id recorded by /start. */
export function createTelegramChannel({ token, apiRoot, timeoutMs }: TelegramChannelOptions): Channel {
  const api = new Api(token, { apiRoot, timeoutSeconds: Math.ceil(timeoutMs / 1000) });
  return {
    id: 'telegram',
    provider: 'telegram',
    async send(n, signal) {
      try {
        // grammY types its signal with the abort-controller shim; Node's AbortSignal is what it uses.
        await api.sendMessage(chatIdOf(n), n.text, {}, signal as GrammySignal);
      } catch (err) {
        throw classifyTelegramError(err);
      }
    },
  };
}

/** Chat ids travel as decimal strings in the Notification; the Bot API takes numbers. */
function chatIdOf(n: Notification): number | string {
  return /^-?\d{1,16}$/.test(n.to) ? Number(n.to) : n.to;
}

/**
 * Bot API errors (https://core.telegram.org/bots/api#making-requests): 429 carries
 * `parameters.retry_after` in seconds; 5xx and network failures are worth retrying; 401 is a
 * deployment problem (wrong token) that a fixed configuration cures, so it is retried too; any
 * other 4xx (400 chat not found, 403 blocked by the user) will not change by retrying.
 */
export function classifyTelegramError(err: unknown): ChannelError {
  if (err instanceof GrammyError) {
    const what = `telegram ${err.error_code}: ${err.description}`;
    if (err.error_code === 429) {
      const retryAfter = err.parameters.retry_after;
      return new ChannelError(what, true, retryAfter === undefined ? undefined : retryAfter * 1000);
    }
    return new ChannelError(what, err.error_code >= 500 || err.error_code === 401);
  }
  if (err instanceof HttpError) return new ChannelError(`telegram unreachable: ${err.message}`, true);
  return new ChannelError(`telegram: ${(err as Error)?.message ?? String(err)}`, true);
}
