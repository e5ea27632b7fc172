import { devOutboxKey } from '@propusk/contracts';
import { CORE_SETTINGS, createLogger, connectRedis, loadConfig, redisKeyPrefix } from '@propusk/kit';
import { single, UsageError, type Parsed } from '../args.js';
import type { Print } from './catalog.js';

/**
 * `outbox show [--limit N]`: the newest messages of the development outbox (codes included:
 * the outbox exists only where no channel credentials are configured, never in production).
 * Reads REDIS_URL and PROPUSK_NAMESPACE like the services.
 */
export async function outboxShow(p: Parsed, print: Print): Promise<void> {
  const given = single(p, 'limit');
  const limit = given === undefined ? 10 : Number(given);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError('--limit must be an integer from 1 to 1000');
  const { REDIS_URL, PROPUSK_NAMESPACE } = loadConfig({
    REDIS_URL: CORE_SETTINGS.REDIS_URL,
    PROPUSK_NAMESPACE: CORE_SETTINGS.PROPUSK_NAMESPACE,
  });
  const log = createLogger({ service: 'authctl', level: 'error' });
  const redis = connectRedis(REDIS_URL, redisKeyPrefix(PROPUSK_NAMESPACE), log);
  try {
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', () => resolve());
      redis.once('error', (err: Error) =>
        reject(new Error(`Redis is not reachable at ${REDIS_URL}: ${err.message}`)),
      );
    });
    const entries = await redis.lrange(devOutboxKey(), 0, limit - 1);
    if (entries.length === 0) print('(the dev outbox is empty)');
    for (const raw of entries) {
      const e = JSON.parse(raw) as {
        at: number;
        channel: string;
        to: string;
        subject?: string;
        text: string;
      };
      const subject = e.subject ? ` [${e.subject}]` : '';
      print(`${new Date(e.at).toISOString()}\t${e.channel}\t${e.to}${subject}\t${e.text}`);
    }
  } finally {
    redis.disconnect();
  }
}
