import { Type, type Static } from '@sinclair/typebox';

/**
 * Durable notifications (DESIGN: "Durable work … goes through JetStream"). A producer publishes
 * one `Notification` to `notifySubject(ns, channel)` on the stream `streamName(ns, NOTIFY_STREAM)`
 * with the JetStream header `Nats-Msg-Id` set to `id`, and answers its own caller only after the
 * publish is acknowledged (the message is durably queued). The notification service consumes the
 * stream at least once, deduplicates by `id`, retries with backoff and dead-letters.
 */
export const CHANNEL_IDS = ['telegram', 'sms', 'email'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

export const ChannelIdSchema = Type.Union(CHANNEL_IDS.map((c) => Type.Literal(c)));

export const Notification = Type.Object(
  {
    /** Unique per message (uuid): the dedup id on the stream and at the consumer. */
    id: Type.String({ format: 'uuid' }),
    channel: ChannelIdSchema,
    /** Telegram chat id (decimal string), E.164 phone number, or e-mail address. */
    to: Type.String({ minLength: 1, maxLength: 320 }),
    /** E-mail subject; ignored by the other channels. */
    subject: Type.Optional(Type.String({ maxLength: 200 })),
    text: Type.String({ minLength: 1, maxLength: 4096 }),
    /** What the message is for (a code's purpose), for logs and metrics; never the code itself. */
    kind: Type.String({ minLength: 1, maxLength: 64 }),
    /** Request id of the HTTP request that caused it, so logs can be followed across hops. */
    requestId: Type.Optional(Type.String({ maxLength: 128 })),
    /** Milliseconds since the epoch when it was queued. */
    queuedAt: Type.Integer(),
  },
  { additionalProperties: false },
);
export type Notification = Static<typeof Notification>;

/** Base names (namespaced with `streamName`) of the notification stream and its dead letters. */
export const NOTIFY_STREAM = 'PROPUSK_NOTIFY';
export const DEAD_LETTER_STREAM = 'PROPUSK_NOTIFY_DEAD';

/** A dead letter: the notification and why it was given up. */
export const DeadLetter = Type.Object({
  notification: Notification,
  reason: Type.String(),
  deliveries: Type.Integer(),
  failedAt: Type.Integer(),
});
export type DeadLetter = Static<typeof DeadLetter>;

/**
 * Where the gateway forwards Telegram's webhook calls (when TELEGRAM_WEBHOOK_URL is set the
 * notification service registers `${PUBLIC_BASE_URL}${TELEGRAM_WEBHOOK_PATH}`-style URLs and
 * checks Telegram's `X-Telegram-Bot-Api-Secret-Token` header).
 */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
