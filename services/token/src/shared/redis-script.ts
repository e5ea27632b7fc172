import type { Redis } from '@propusk/kit';

/** A Lua script run with EVALSHA (loaded on first use); keys get the client's namespace prefix. */
export type RedisScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

type Runner = (numKeys: number, ...rest: (string | number)[]) => Promise<unknown>;

/**
 * Defines `lua` on the client as a custom command (ioredis sends EVALSHA and falls back to
 * EVAL, and prefixes the declared keys like any other command's). Scripts touch only the keys
 * they are given (Redis: "all keys ... must be passed as input key arguments").
 */
export function redisScript(redis: Redis, name: string, lua: string): RedisScript {
  const commands = redis as unknown as Record<string, Runner | undefined>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { lua });
  const run = commands[name] as Runner;
  return (keys, args) => run.call(redis, keys.length, ...keys, ...args);
}
