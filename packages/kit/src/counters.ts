import { isIP } from 'node:net';
import { hashTagOf, type RedisClient } from './redis.js';

/**
 * Fixed-window counters in Redis, shared by every limit of the suite (login failures, code
 * sends and checks, request rates). Each change is one Lua script per hash slot, so it is
 * atomic (EVAL runs alone on the server:
 * https://redis.io/docs/latest/develop/interact/programmability/eval-intro/). Keys get the
 * namespace prefix from the client (ioredis `keyPrefix` also applies to KEYS).
 */

/** A Lua script run with EVALSHA (loaded on first use); keys get the client's namespace prefix. */
export type RedisScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

type Runner = (numKeys: number, ...rest: (string | number)[]) => Promise<unknown>;

/**
 * Defines `lua` on the client as a custom command (ioredis sends EVALSHA and falls back to
 * EVAL, and prefixes the declared keys like any other command's). Scripts touch only the keys
 * they are given (Redis: "all keys ... must be passed as input key arguments").
 */
export function redisScript(redis: RedisClient, name: string, lua: string): RedisScript {
  const commands = redis as unknown as Record<string, Runner | undefined>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { lua });
  const run = commands[name] as Runner;
  return (keys, args) => run.call(redis, keys.length, ...keys, ...args);
}

// KEYS: counters; ARGV[1]: window ms; ARGV[1 + i]: limit of KEYS[i].
// Answers 0 when taken, else the longest PTTL among counters at their limit.
const TAKE = `
local wait = 0
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      redis.call('PEXPIRE', key, ARGV[1])
      ttl = tonumber(ARGV[1])
    end
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return 0
`;

// Takes one back from each counter, never below zero; keeps the counter's window.
const GIVE_BACK = `
for _, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n > 1 then redis.call('DECR', key) elseif n == 1 then redis.call('DEL', key) end
end
return 0
`;

export interface Counter {
  key: string;
  limit: number;
}

export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface WindowCounters {
  /**
   * Counts one against every counter, or none when any is at its limit (then answers how long
   * until the fullest one's window ends). Counting first and giving back on success means a
   * burst of parallel attempts cannot slip past a limit.
   */
  take(counters: readonly Counter[], windowMs: number): Promise<TakeResult>;
  giveBack(keys: readonly string[]): Promise<void>;
}

/**
 * Counters that one script may change together: those of one hash tag (one slot of a Redis
 * Cluster); an untagged key stands alone. Counters of different things (an account and an IP)
 * have no common tag by nature, so they are counted slot by slot.
 */
function bySlot<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const tag = hashTagOf(key);
    const group = tag === undefined ? key : `{${tag}}`;
    groups.set(group, [...(groups.get(group) ?? []), item]);
  }
  return [...groups.values()];
}

export function createWindowCounters(redis: RedisClient): WindowCounters {
  const take = redisScript(redis, 'propuskCountersTake', TAKE);
  const giveBack = redisScript(redis, 'propuskCountersGiveBack', GIVE_BACK);

  async function giveBackAll(keys: readonly string[]): Promise<void> {
    await Promise.all(bySlot(keys, (k) => k).map((group) => giveBack(group, [])));
  }

  /** The TAKE script on one slot's counters: 0 when taken, else the wait in ms. */
  async function takeGroup(group: readonly Counter[], windowMs: number): Promise<number> {
    return Number(
      await take(
        group.map((c) => c.key),
        [windowMs, ...group.map((c) => c.limit)],
      ),
    );
  }

  return {
    /**
     * Each slot's counters are taken in one step; when any slot refuses (or fails), the slots
     * that took are given back. A limit is never passed; a request that overlaps a refused
     * one may meanwhile see a counter one higher and be refused too: it fails closed.
     */
    async take(counters, windowMs) {
      if (counters.length === 0) return { allowed: true };
      const groups = bySlot(counters, (c) => c.key);
      const results = await Promise.allSettled(groups.map((group) => takeGroup(group, windowMs)));
      // A slot's wait: 0 when it took, NaN when its script failed.
      const waits = results.map((r) => (r.status === 'fulfilled' ? r.value : NaN));
      if (waits.some((w) => w !== 0))
        await giveBackAll(groups.flatMap((group, i) => (waits[i] === 0 ? group.map((c) => c.key) : [])));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const wait = Math.max(...waits);
      return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
    },
    async giveBack(keys) {
      if (keys.length) await giveBackAll(keys);
    },
  };
}

/**
 * The address a per-IP counter is kept for. IPv4-mapped IPv6 is its IPv4 address; other IPv6
 * addresses count per /64, the smallest block a subscriber usually gets (RFC 6177), so an
 * attacker cannot rotate through the addresses of one network to dodge a limit.
 */
export function ipBucket(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address, without leading zeros (a zone id is dropped). */
function expandIpv6(ip: string): string[] {
  const address = ip.split('%')[0] as string;
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  // An embedded IPv4 tail (::1.2.3.4) takes two hextets.
  const last = right.at(-1) ?? left.at(-1);
  const v4Hextets = last?.includes('.') ? 1 : 0;
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length - v4Hextets).fill('0');
  return [...left, ...fill, ...right].map((h) => (h.includes('.') ? h : (parseInt(h, 16) || 0).toString(16)));
}
