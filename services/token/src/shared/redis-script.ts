/** Lua scripts on kit's Redis client (EVALSHA with the namespace prefix on KEYS). */
export { redisScript, type RedisScript } from '@propusk/kit';
