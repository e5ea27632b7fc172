import { devOutboxKey, type ChannelId } from '@propusk/contracts';
import type { Logger, RedisClient } from '@propusk/kit';
import { ChannelError, type Channel } from './channel.js';

/**
 * The dev outbox (DESIGN, "Configuration": "With no channel credentials in development,
 * messages go to the log (and to a dev outbox that the CLI can show)"). One Redis list for
 * every channel, newest first, capped; the namespace prefix comes from the client.
 */
export const DEV_OUTBOX_KEY = devOutboxKey();

/** One entry of the dev outbox list (JSON). */
export interface DevOutboxEntry {
  id: string;
  channel: ChannelId;
  to: string;
  subject?: string;
  text: string;
  kind: string;
  at: number;
}

export interface DevOutboxOptions {
  channel: ChannelId;
  redis: RedisClient;
  log: Logger;
  size: number;
}

/**
 * Stands in for a channel without credentials outside production: the message text is
 * written to the log on purpose (that is how a developer reads a code), never in production.
 */
export function createDevOutboxChannel({ channel, redis, log, size }: DevOutboxOptions): Channel {
  return {
    id: channel,
    provider: 'dev-outbox',
    async send(n) {
      const entry: DevOutboxEntry = {
        id: n.id,
        channel,
        to: n.to,
        ...(n.subject === undefined ? {} : { subject: n.subject }),
        text: n.text,
        kind: n.kind,
        at: Date.now(),
      };
      try {
        const results = await redis
          .multi()
          .lpush(DEV_OUTBOX_KEY, JSON.stringify(entry))
          .ltrim(DEV_OUTBOX_KEY, 0, size - 1)
          .exec();
        const failed = results?.find(([err]) => err)?.[0];
        if (!results || failed) throw failed ?? new Error('transaction aborted');
      } catch (err) {
        throw new ChannelError(`dev outbox unavailable: ${(err as Error).message}`, true);
      }
      log.info(
        { channel, to: n.to, subject: n.subject, text: n.text, kind: n.kind, id: n.id },
        'dev outbox: not delivered (no credentials for this channel outside production)',
      );
    },
  };
}

/** Reads the newest entries (for the CLI and tests). */
export async function readDevOutbox(redis: RedisClient, count = 100): Promise<DevOutboxEntry[]> {
  const raw = await redis.lrange(DEV_OUTBOX_KEY, 0, count - 1);
  return raw.map((r) => JSON.parse(r) as DevOutboxEntry);
}
