import type { ChannelId, Notification } from '@propusk/contracts';

/** One way of delivering a notification (Telegram, SMS, e-mail, or the dev outbox in its place). */
export interface Channel {
  readonly id: ChannelId;
  /** Human-readable provider name for logs ("telegram", "twilio", "smtp", "dev-outbox"). */
  readonly provider: string;
  /** Delivers the message or throws a ChannelError; `signal` aborts a call that takes too long. */
  send(n: Notification, signal?: AbortSignal): Promise<void>;
  /** Releases connections (SMTP pool, HTTP agents). */
  close?(): Promise<void> | void;
}

/**
 * Why a send failed, in the terms the delivery loop decides on: retry (later, or exactly when
 * the provider asked) or give up. The message never carries the notification's text.
 */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

export interface ChannelRegistry {
  get(id: ChannelId): Channel;
  all(): readonly Channel[];
}

export function createChannelRegistry(channels: readonly Channel[]): ChannelRegistry {
  const byId = new Map<ChannelId, Channel>(channels.map((c) => [c.id, c]));
  return {
    get(id) {
      const channel = byId.get(id);
      if (!channel) throw new Error(`no channel ${id}`);
      return channel;
    },
    all: () => [...byId.values()],
  };
}
