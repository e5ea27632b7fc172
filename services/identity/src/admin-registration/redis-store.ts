import { createWindowCounters, redisScript, type RedisClient } from '@propusk/kit';
import { Type } from '@sinclair/typebox';
import { checker } from '@propusk/contracts';
import type {
  CooldownStore,
  PendingRegistration,
  PendingRegistrationStore,
  RequestCounterStore,
} from './store.js';

/** Keys of admin registration (the client adds the namespace prefix); one key per script, cluster-safe. */
export function pendingKey(telegramUsername: string): string {
  return `admin-registration:pending:${telegramUsername}`;
}

/** `address` is the client's ipBucket (or `-` without one): see service.ts. */
export function cooldownKey(telegramUsername: string, address: string): string {
  return `admin-registration:cooldown:${telegramUsername}:${address}`;
}

export function requestsKey(telegramUsername: string): string {
  return `admin-registration:requests:${telegramUsername}`;
}

const Pending = Type.Object({
  id: Type.String({ minLength: 1 }),
  username: Type.String({ minLength: 1 }),
  passwordHash: Type.String({ minLength: 1 }),
  chatId: Type.Integer(),
});
const pendingChecker = checker(Pending);

function parsePending(raw: string): PendingRegistration | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return pendingChecker.Check(value) ? value : undefined;
}

// KEYS[1]: the username's pending record; ARGV[1]: the id the code names; ARGV[2]: 1 to return it.
// Deletes the record only when it is that id's, in one step: of a code and a newer request, or
// of two submissions of one code, exactly one order holds. Answers the record, 0 for another
// id's (superseded), false for none.
const TAKE_IF_CURRENT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local ok, record = pcall(cjson.decode, raw)
if not ok or type(record) ~= 'table' or record.id ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if ARGV[2] == '1' then return raw end
return 1
`;

/**
 * Pending registrations as JSON strings that expire on their own (SET … EX), one per username:
 * a newer request's SET replaces an older one, which supersedes its code.
 */
export function createRedisPendingStore(redis: RedisClient): PendingRegistrationStore {
  const takeIfCurrent = redisScript(redis, 'propuskAdminPendingTake', TAKE_IF_CURRENT);
  return {
    async put(telegramUsername, pending, ttlS) {
      await redis.set(pendingKey(telegramUsername), JSON.stringify(pending), 'EX', ttlS);
    },
    async take(telegramUsername, id) {
      const raw = await takeIfCurrent([pendingKey(telegramUsername)], [id, '1']);
      if (raw === null || raw === undefined) return { kind: 'gone' };
      if (typeof raw !== 'string') return { kind: 'superseded' };
      const registration = parsePending(raw);
      return registration ? { kind: 'taken', registration } : { kind: 'gone' };
    },
    async drop(telegramUsername, id) {
      await takeIfCurrent([pendingKey(telegramUsername)], [id, '0']);
    },
  };
}

/** Cooldowns as keys set with NX and EX: the first claim wins, the key expires by itself. */
export function createRedisCooldownStore(redis: RedisClient): CooldownStore {
  return {
    async claim(telegramUsername, address, ttlS) {
      const key = cooldownKey(telegramUsername, address);
      if ((await redis.set(key, '1', 'EX', ttlS, 'NX')) === 'OK') return { claimed: true };
      // The key may expire between SET and PTTL (PTTL answers -2): then it is free in a moment.
      const ttl = await redis.pttl(key);
      return { claimed: false, retryAfterMs: ttl > 0 ? ttl : 1 };
    },
    async release(telegramUsername, address) {
      await redis.del(cooldownKey(telegramUsername, address));
    },
  };
}

/** Requests per username: kit's fixed-window counters (one Lua script per change, atomic). */
export function createRedisRequestCounterStore(redis: RedisClient): RequestCounterStore {
  const counters = createWindowCounters(redis);
  return {
    take: (telegramUsername, limit, windowS) =>
      counters.take([{ key: requestsKey(telegramUsername), limit }], windowS * 1000),
    giveBack: (telegramUsername) => counters.giveBack([requestsKey(telegramUsername)]),
  };
}
