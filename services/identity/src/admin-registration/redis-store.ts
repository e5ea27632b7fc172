import type { RedisClient } from '@propusk/kit';
import { Type } from '@sinclair/typebox';
import { checker } from '@propusk/contracts';
import type { CooldownStore, PendingRegistration, PendingRegistrationStore } from './store.js';

/** Keys of admin registration (the client adds the namespace prefix). */
export function pendingKey(id: string): string {
  return `admin-registration:pending:${id}`;
}

export function cooldownKey(username: string): string {
  return `admin-registration:cooldown:${username}`;
}

const Pending = Type.Object({
  username: Type.String({ minLength: 1 }),
  passwordHash: Type.String({ minLength: 1 }),
  chatId: Type.Integer(),
});
const pendingChecker = checker(Pending);

function parsePending(raw: string | null): PendingRegistration | undefined {
  if (raw === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return pendingChecker.Check(value) ? value : undefined;
}

/** Pending registrations as JSON strings that expire on their own (SET … EX). */
export function createRedisPendingStore(redis: RedisClient): PendingRegistrationStore {
  return {
    async put(id, pending, ttlS) {
      await redis.set(pendingKey(id), JSON.stringify(pending), 'EX', ttlS);
    },
    // GETDEL (Redis 6.2): read and delete atomically, so two requests cannot both take it.
    take: async (id) => parsePending(await redis.getdel(pendingKey(id))),
    async drop(id) {
      await redis.del(pendingKey(id));
    },
  };
}

/** Cooldowns as keys set with NX and EX: the first claim wins, the key expires by itself. */
export function createRedisCooldownStore(redis: RedisClient): CooldownStore {
  return {
    async claim(username, ttlS) {
      const key = cooldownKey(username);
      if ((await redis.set(key, '1', 'EX', ttlS, 'NX')) === 'OK') return { claimed: true };
      // The key may expire between SET and PTTL (PTTL answers -2): then it is free in a moment.
      const ttl = await redis.pttl(key);
      return { claimed: false, retryAfterMs: ttl > 0 ? ttl : 1 };
    },
    async release(username) {
      await redis.del(cooldownKey(username));
    },
  };
}
