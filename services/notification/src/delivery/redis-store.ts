import type { RedisClient } from '@propusk/kit';
import type { SentMarks } from './store.js';

/** Key of one sent marker (the client adds the namespace prefix). */
export function sentKey(id: string): string {
  return `notify:sent:${id}`;
}

/** Sent markers in Redis, each living `ttlS` seconds (longer than the stream keeps a message). */
export function createRedisSentMarks(redis: RedisClient, ttlS: number): SentMarks {
  return {
    async has(id) {
      return (await redis.exists(sentKey(id))) === 1;
    },
    async mark(id) {
      await redis.set(sentKey(id), '1', 'EX', ttlS);
    },
  };
}
