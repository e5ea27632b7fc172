import { createHash } from 'node:crypto';
import { CODE_PURPOSES, type CodePurpose } from '@propusk/contracts';
import type { RedisClient } from '@propusk/kit';
import type { PendingPurposeStore, RecoveryGrantStore } from './store.js';

/**
 * Keys of document 003's records (the client adds the namespace prefix). A login is named by its
 * SHA-256, so no e-mail address or phone number sits in a key name.
 */
export function purposeKey(login: string): string {
  return `v2:code-purpose:${createHash('sha256').update(login).digest('base64url')}`;
}

export function grantKey(tokenId: string): string {
  return `v2:recovery-grant:${tokenId}`;
}

function isPurpose(value: string | null): value is CodePurpose {
  return value !== null && (CODE_PURPOSES as readonly string[]).includes(value);
}

/**
 * Deletes the key only while it holds the given value (a compare-and-delete in one step), so a
 * purpose recorded by a newer request survives an older code's success.
 */
const DELETE_IF_EQUAL = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function createRedisPurposeStore(redis: RedisClient): PendingPurposeStore {
  return {
    async put(login, purpose, ttlS) {
      await redis.set(purposeKey(login), purpose, 'EX', ttlS);
    },
    async get(login) {
      const value = await redis.get(purposeKey(login));
      return isPurpose(value) ? value : undefined;
    },
    async drop(login, purpose) {
      await redis.eval(DELETE_IF_EQUAL, 1, purposeKey(login), purpose);
    },
  };
}

export function createRedisGrantStore(redis: RedisClient): RecoveryGrantStore {
  return {
    async put(tokenId, accountId, ttlS) {
      await redis.set(grantKey(tokenId), accountId, 'EX', ttlS);
    },
    get: async (tokenId) => (await redis.get(grantKey(tokenId))) ?? undefined,
    async drop(tokenId) {
      await redis.del(grantKey(tokenId));
    },
  };
}
