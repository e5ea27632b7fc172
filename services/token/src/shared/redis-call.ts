import { PropuskError } from '@propusk/contracts';

/**
 * Runs one Redis command; any failure (Redis down, timeout) becomes `unavailable`. kit's client
 * has no offline queue, so while Redis is down a command rejects at once: callers fail closed
 * (a token whose state cannot be read is never reported active).
 */
export async function redisCall<T>(what: string, command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (err) {
    if (err instanceof PropuskError) throw err;
    throw new PropuskError('unavailable', `redis: ${what} failed`);
  }
}
