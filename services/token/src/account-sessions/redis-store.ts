import { PROFILES, type Profile } from '@propusk/contracts';
import type { RedisClient } from '@propusk/kit';
import { redisCall } from '../shared/redis-call.js';
import { redisScript } from '../shared/redis-script.js';
import type { AccountSessionStore, SessionRef } from './store.js';

/**
 * `account:sessions:<accountId>` (under kit's prefix `propusk:<ns>:`): a sorted set, member
 * `<profile>:<id>`, score the session's expiry (seconds). The key itself expires with its
 * longest-lived member, so an account that stops signing in leaves nothing behind.
 */
export function accountSessionsKey(accountId: string): string {
  return `account:sessions:${accountId}`;
}

export function sessionMember(ref: Pick<SessionRef, 'profile' | 'id'>): string {
  return `${ref.profile}:${ref.id}`;
}

/**
 * Prune, add and re-time in one step. ZADD GT keeps the later expiry of a member recorded
 * twice (a refresh family after rotation) and still adds new members.
 * KEYS: the set. ARGV: now (s), the member's expiry (s), the member.
 */
const ADD = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[3])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] then redis.call('EXPIREAT', KEYS[1], top[2]) end
return 1
`;

function isProfile(value: string): value is Profile {
  return (PROFILES as readonly string[]).includes(value);
}

/** `<profile>:<id>` with its score; undefined for anything we never wrote. */
function parseMember(member: string, score: string): SessionRef | undefined {
  const colon = member.indexOf(':');
  const profile = member.slice(0, colon);
  const id = member.slice(colon + 1);
  const exp = Number(score);
  if (colon <= 0 || id === '' || !isProfile(profile) || !Number.isSafeInteger(exp)) return undefined;
  return { profile, id, exp };
}

export function createRedisAccountSessionStore(redis: RedisClient): AccountSessionStore {
  const add = redisScript(redis, 'propuskAccountSessionAdd', ADD);
  return {
    async add(accountId, ref, nowS) {
      await redisCall('account sessions add', () =>
        add([accountSessionsKey(accountId)], [nowS, ref.exp, sessionMember(ref)]),
      );
    },
    async list(accountId, nowS) {
      const flat = await redisCall('account sessions list', () =>
        redis.zrangebyscore(accountSessionsKey(accountId), `(${nowS}`, '+inf', 'WITHSCORES'),
      );
      const refs: SessionRef[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const ref = parseMember(flat[i]!, flat[i + 1]!);
        if (ref) refs.push(ref);
      }
      return refs;
    },
    async remove(accountId, refs) {
      await redisCall('account sessions remove', () =>
        redis.zrem(accountSessionsKey(accountId), ...refs.map(sessionMember)),
      );
    },
  };
}
