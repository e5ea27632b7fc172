import { CHANNEL_SETTINGS, ConfigError, type ConfigOf, type ConfigSpec } from '@propusk/kit';

/**
 * The notification service's own environment variables (beside kit's CORE_SETTINGS and the
 * provider credentials of CHANNEL_SETTINGS), read once at start.
 */
export const NOTIFICATION_SETTINGS = {
  NOTIFY_MAX_DELIVERIES: {
    kind: 'int',
    min: 1,
    max: 100,
    default: 8,
    doc: 'deliveries of one notification before it is dead-lettered (the issue: "a bounded number")',
  },
  NOTIFY_BACKOFF_BASE_MS: {
    kind: 'int',
    min: 10,
    max: 600_000,
    default: 1000,
    doc: 'first retry delay after a retryable failure; doubles per delivery, with jitter',
  },
  NOTIFY_BACKOFF_MAX_MS: {
    kind: 'int',
    min: 10,
    max: 3_600_000,
    default: 60_000,
    doc: 'longest retry delay (a provider retry_after is honoured as given)',
  },
  NOTIFY_ACK_WAIT_MS: {
    kind: 'int',
    min: 5000,
    max: 600_000,
    default: 30_000,
    doc: 'JetStream ack_wait: an unanswered delivery is redelivered after this long',
  },
  NOTIFY_SEND_TIMEOUT_MS: {
    kind: 'int',
    min: 500,
    max: 300_000,
    default: 15_000,
    doc: 'one provider call may take this long (kept below NOTIFY_ACK_WAIT_MS)',
  },
  NOTIFY_CONCURRENCY: {
    kind: 'int',
    min: 1,
    max: 64,
    default: 4,
    doc: 'notifications sent at the same time per channel by one replica',
  },
  NOTIFY_DEDUP_TTL_S: {
    kind: 'int',
    min: 60,
    max: 30 * 86_400,
    default: 86_400,
    doc: 'how long a sent notification id is remembered, so a redelivery is not sent twice',
  },
  DEV_OUTBOX_SIZE: {
    kind: 'int',
    min: 1,
    max: 10_000,
    default: 100,
    doc: 'development without credentials: newest messages kept in the Redis dev outbox',
  },
  TELEGRAM_WEBHOOK_SECRET: {
    kind: 'string',
    // Telegram's secret_token: 1-256 characters A-Z, a-z, 0-9, _ and - (Bot API, setWebhook).
    pattern: /^[A-Za-z0-9_-]{1,256}$/,
    secret: true,
    doc: 'webhook secret_token; derived from the bot token when unset (the same on every replica)',
  },
  TELEGRAM_POLL_LEASE_MS: {
    kind: 'int',
    min: 1000,
    max: 600_000,
    default: 15_000,
    doc: 'long polling: lease one replica holds in Redis to be the only poller; renewed every third',
  },
} as const satisfies ConfigSpec;

/** Every variable the service reads beside the core ones. */
export const SERVICE_SETTINGS = {
  ...CHANNEL_SETTINGS,
  ...NOTIFICATION_SETTINGS,
} as const satisfies ConfigSpec;

export type NotificationSettings = ConfigOf<typeof SERVICE_SETTINGS>;

/**
 * Relations between settings that one variable's range cannot express: a send that outlasts
 * ack_wait would be redelivered (and possibly sent twice) while still running.
 */
export function checkNotificationSettings(s: NotificationSettings): NotificationSettings {
  if (s.NOTIFY_SEND_TIMEOUT_MS >= s.NOTIFY_ACK_WAIT_MS) {
    throw new ConfigError('NOTIFY_SEND_TIMEOUT_MS', 'must be shorter than NOTIFY_ACK_WAIT_MS');
  }
  return s;
}
