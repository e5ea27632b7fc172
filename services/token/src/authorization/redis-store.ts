import { PropuskError } from '@propusk/contracts';
import type { RedisClient } from '@propusk/kit';
import { redisCall } from '../shared/redis-call.js';
import { redisScript } from '../shared/redis-script.js';
import { isRole, type Role } from '../shared/subject.js';
import type {
  AccessGrant,
  AccessRecord,
  AuthorizationSession,
  AuthorizationStore,
  EndedSession,
  EndedToken,
} from './store.js';

/**
 * Redis layout (under kit's prefix `propusk:<ns>:`). A session's two keys share the hash tag
 * `{authz:<refresh uuid>}`: adding an access token and ending the session each change both in
 * one script, and on a Redis Cluster a script's keys must lie in one slot
 * (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags).
 * - `authz:session:{authz:<refresh uuid>}`        hash {accountId, userName, roles (JSON),
 *                                                 tokenId, exp}, until the refresh token's exp
 * - `authz:session:{authz:<refresh uuid>}:access` sorted set: access tokenId → its exp, same expiry
 * - `authz:access:<access uuid>`                  JSON {sessionId, tokenId, exp}, until the access
 *                                                 token's exp; found from the token's uuid alone
 *                                                 (document 002's claims), so a key of its own,
 *                                                 written before its session's set names the token
 *                                                 (alone it makes no token live: liveAs needs the
 *                                                 session too)
 */
export function authzSessionKey(sessionId: string): string {
  return `authz:session:{authz:${sessionId}}`;
}
export function authzSessionAccessKey(sessionId: string): string {
  return `authz:session:{authz:${sessionId}}:access`;
}
export function authzAccessKey(uuid: string): string {
  return `authz:access:${uuid}`;
}

/**
 * A new access token for a live session (the set lives as long as the session).
 * KEYS: session, its access set. ARGV: now (s), access tokenId, access exp.
 */
const ADD_ACCESS = `
local exp = redis.call('HGET', KEYS[1], 'exp')
if not exp then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('EXPIREAT', KEYS[2], exp)
return 1
`;

/**
 * Ends a session: answers {refresh tokenId, refresh exp, access tokenId, exp, ...} and deletes
 * it, or {} when it is gone. KEYS: session, its access set. ARGV: now (s).
 */
const END = `
local s = redis.call('HMGET', KEYS[1], 'tokenId', 'exp')
if not s[1] then return {} end
local out = {s[1], s[2]}
for _, v in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf', 'WITHSCORES')) do
  out[#out + 1] = v
end
redis.call('DEL', KEYS[1], KEYS[2])
return out
`;

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

function parseRoles(raw: string | undefined): Role[] | undefined {
  try {
    const v: unknown = JSON.parse(raw ?? '');
    return Array.isArray(v) && v.every(isRole) ? v : undefined;
  } catch {
    return undefined;
  }
}

function parseSession(sessionId: string, h: Record<string, string>): AuthorizationSession | undefined {
  const exp = int(h.exp);
  const roles = parseRoles(h.roles);
  if (!h.accountId || !h.userName || !h.tokenId || !roles || exp === undefined) return undefined;
  return { sessionId, accountId: h.accountId, userName: h.userName, roles, tokenId: h.tokenId, exp };
}

function parseAccess(raw: string | null): AccessRecord | undefined {
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<AccessRecord>;
    if (typeof v.sessionId === 'string' && typeof v.tokenId === 'string' && Number.isSafeInteger(v.exp)) {
      return { sessionId: v.sessionId, tokenId: v.tokenId, exp: v.exp! };
    }
  } catch {
    // a corrupt record is no token
  }
  return undefined;
}

/** END's flat answer as tokens. */
function endedFrom(reply: unknown): EndedSession | undefined {
  const flat = reply as string[];
  if (flat.length < 2) return undefined;
  const tokens: EndedToken[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) tokens.push({ tokenId: flat[i]!, exp: Number(flat[i + 1]) });
  const [refresh, ...access] = tokens;
  return { refresh: refresh!, access };
}

export function createRedisAuthorizationStore(
  redis: RedisClient,
  now: () => number = Date.now,
): AuthorizationStore {
  const addAccessScript = redisScript(redis, 'propuskAuthorizationAddAccess', ADD_ACCESS);
  const endScript = redisScript(redis, 'propuskAuthorizationEnd', END);
  const nowS = () => Math.floor(now() / 1000);

  /** The record an access token's uuid leads to: before its session names it (see the layout). */
  async function putAccess(sessionId: string, a: AccessGrant): Promise<void> {
    const json = JSON.stringify({ sessionId, tokenId: a.tokenId, exp: a.exp });
    await redisCall('authorization access put', () => redis.set(authzAccessKey(a.uuid), json, 'EXAT', a.exp));
  }

  return {
    async start(session, access) {
      const { sessionId } = session;
      await putAccess(sessionId, access);
      const replies = await redisCall('authorization start', () =>
        redis
          .multi()
          .hset(authzSessionKey(sessionId), {
            accountId: session.accountId,
            userName: session.userName,
            roles: JSON.stringify(session.roles),
            tokenId: session.tokenId,
            exp: session.exp,
          })
          .expireat(authzSessionKey(sessionId), session.exp)
          .zadd(authzSessionAccessKey(sessionId), access.exp, access.tokenId)
          .expireat(authzSessionAccessKey(sessionId), session.exp)
          .exec(),
      );
      if (!replies || replies.some(([err]) => err)) {
        throw new PropuskError('unavailable', 'redis: authorization start failed');
      }
    },
    async session(sessionId) {
      const h = await redisCall('authorization session get', () => redis.hgetall(authzSessionKey(sessionId)));
      return parseSession(sessionId, h);
    },
    async access(uuid) {
      return parseAccess(await redisCall('authorization access get', () => redis.get(authzAccessKey(uuid))));
    },
    async addAccess(sessionId, access) {
      await putAccess(sessionId, access);
      const reply = await redisCall('authorization add access', () =>
        addAccessScript(
          [authzSessionKey(sessionId), authzSessionAccessKey(sessionId)],
          [nowS(), access.tokenId, access.exp],
        ),
      );
      // The session ended meanwhile: its access record is never handed out, so it goes too.
      if (reply !== 1)
        await redisCall('authorization access drop', () => redis.del(authzAccessKey(access.uuid)));
      return reply === 1;
    },
    async hasAccess(sessionId, tokenId) {
      const score = await redisCall('authorization access check', () =>
        redis.zscore(authzSessionAccessKey(sessionId), tokenId),
      );
      return score !== null;
    },
    async end(sessionId) {
      const reply = await redisCall('authorization end', () =>
        endScript([authzSessionKey(sessionId), authzSessionAccessKey(sessionId)], [nowS()]),
      );
      return endedFrom(reply);
    },
  };
}
