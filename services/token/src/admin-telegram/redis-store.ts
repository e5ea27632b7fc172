import { PropuskError } from '@propusk/contracts';
import type { Redis } from '@propusk/kit';
import { redisCall } from '../shared/redis-call.js';
import { redisScript } from '../shared/redis-script.js';
import { isRole } from '../shared/subject.js';
import type {
  AccessSession,
  AdminTelegramStore,
  Family,
  NewPair,
  RefreshRecord,
  RevokedAccess,
  RotateOutcome,
} from './store.js';

/**
 * Redis layout (under kit's prefix `propusk:<ns>:`):
 * - `admin:access:<access_uuid>`   JSON AccessSession, TTL = the access token's lifetime
 * - `admin:refresh:<refresh_uuid>` hash {family, status current|used, access, exp, and once used
 *                                  usedAt (epoch ms), next (its successor's uuid)}, until its exp
 * - `admin:family:<family id>`     hash {refresh, access, accessTokenId, accessExp, refreshExp,
 *                                  accountId, username, roles (JSON), chatId}, until the current
 *                                  refresh token's exp
 */
export function adminAccessKey(accessUuid: string): string {
  return `admin:access:${accessUuid}`;
}
export function adminRefreshKey(refreshUuid: string): string {
  return `admin:refresh:${refreshUuid}`;
}
export function adminFamilyKey(familyId: string): string {
  return `admin:family:${familyId}`;
}

/**
 * Refresh rotation in one step. The keys of the family's current pair are read beforehand and
 * passed in (a script must declare every key it touches); if the family moved on meanwhile
 * the script changes nothing and answers `conflict`, and the caller reads again.
 * KEYS: presented refresh, family, family's current refresh, its current access, new refresh, new access.
 * ARGV: family id, presented uuid, expected current refresh uuid, expected current access uuid,
 *       new refresh uuid, new access uuid, new session JSON, access TTL s, new refresh exp,
 *       new access tokenId, new access exp, now ms, reuse grace ms.
 *
 * A used token is a reuse unless it was rotated less than the grace ago into the family's
 * current refresh token (RFC 9700 §4.14.2 allows for this): two requests of one client that
 * raced each other. That one is answered `raced` and changes nothing.
 */
const ROTATE = `
if redis.call('HGET', KEYS[1], 'family') ~= ARGV[1] then return {'invalid'} end
local fam = redis.call('HMGET', KEYS[2], 'refresh', 'access', 'accessTokenId', 'accessExp')
if not fam[1] then return {'invalid'} end
if fam[1] ~= ARGV[3] or fam[2] ~= ARGV[4] then return {'conflict'} end
local presented = redis.call('HMGET', KEYS[1], 'status', 'usedAt', 'next')
if fam[1] == ARGV[2] and presented[1] == 'current' then
  redis.call('HSET', KEYS[1], 'status', 'used', 'usedAt', ARGV[12], 'next', ARGV[5])
  redis.call('DEL', KEYS[4])
  redis.call('HSET', KEYS[5], 'family', ARGV[1], 'status', 'current', 'access', ARGV[6], 'exp', ARGV[9])
  redis.call('EXPIREAT', KEYS[5], ARGV[9])
  redis.call('SET', KEYS[6], ARGV[7], 'EX', ARGV[8])
  redis.call('HSET', KEYS[2], 'refresh', ARGV[5], 'access', ARGV[6], 'accessTokenId', ARGV[10],
    'accessExp', ARGV[11], 'refreshExp', ARGV[9])
  redis.call('EXPIREAT', KEYS[2], ARGV[9])
  return {'rotated', fam[3], fam[4]}
end
if presented[1] == 'used' and presented[3] == fam[1] and presented[2]
  and tonumber(ARGV[12]) - tonumber(presented[2]) < tonumber(ARGV[13]) then
  return {'raced'}
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return {'reused', fam[3], fam[4]}
`;

/**
 * Revokes a family in one step (same optimistic check as ROTATE).
 * KEYS: family, its current refresh, its current access. ARGV: expected refresh uuid, expected access uuid.
 */
const KILL = `
local fam = redis.call('HMGET', KEYS[1], 'refresh', 'access', 'accessTokenId', 'accessExp')
if not fam[1] then return {'gone'} end
if fam[1] ~= ARGV[1] or fam[2] ~= ARGV[2] then return {'conflict'} end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return {'killed', fam[3], fam[4]}
`;

/** A family changes a few times a week; losing the race this often means something is wrong. */
const MAX_ATTEMPTS = 5;

function parseSession(raw: string | null): AccessSession | undefined {
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<AccessSession>;
    if (
      typeof v.accountId === 'string' &&
      typeof v.username === 'string' &&
      Array.isArray(v.roles) &&
      v.roles.every(isRole) &&
      Number.isSafeInteger(v.chatId) &&
      typeof v.familyId === 'string' &&
      typeof v.tokenId === 'string' &&
      Number.isSafeInteger(v.exp)
    ) {
      return {
        accountId: v.accountId,
        username: v.username,
        roles: v.roles,
        chatId: v.chatId!,
        familyId: v.familyId,
        tokenId: v.tokenId,
        exp: v.exp!,
      };
    }
  } catch {
    // a corrupt record is no session
  }
  return undefined;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

function parseRefresh(h: Record<string, string>): RefreshRecord | undefined {
  const exp = int(h.exp);
  if (!h.family || !h.access || exp === undefined) return undefined;
  if (h.status !== 'current' && h.status !== 'used') return undefined;
  const usedAt = int(h.usedAt);
  return {
    familyId: h.family,
    status: h.status,
    accessUuid: h.access,
    exp,
    ...(usedAt === undefined ? {} : { usedAt }),
    ...(h.next ? { next: h.next } : {}),
  };
}

function parseRoles(raw: string | undefined): AccessSession['roles'] | undefined {
  try {
    const roles: unknown = JSON.parse(raw ?? '');
    return Array.isArray(roles) && roles.every(isRole) ? roles : undefined;
  } catch {
    return undefined;
  }
}

function parseFamily(familyId: string, h: Record<string, string>): Family | undefined {
  const [accessExp, refreshExp, chatId] = [int(h.accessExp), int(h.refreshExp), int(h.chatId)];
  const roles = parseRoles(h.roles);
  if (!h.refresh || !h.access || !h.accessTokenId || !h.accountId || !h.username || !roles) return undefined;
  if (accessExp === undefined || refreshExp === undefined || chatId === undefined) return undefined;
  return {
    familyId,
    refreshUuid: h.refresh,
    accessUuid: h.access,
    accessTokenId: h.accessTokenId,
    accessExp,
    refreshExp,
    accountId: h.accountId,
    username: h.username,
    roles,
    chatId,
  };
}

/** The script's `{outcome, tokenId, exp}` answer. */
function revokedFrom(reply: unknown): RevokedAccess {
  const [, tokenId, exp] = reply as [string, string, string];
  return { tokenId, exp: Number(exp) };
}

function familyFields(pair: NewPair): Record<string, string | number> {
  const s = pair.session;
  return {
    refresh: pair.refreshUuid,
    access: pair.accessUuid,
    accessTokenId: s.tokenId,
    accessExp: s.exp,
    refreshExp: pair.refreshExp,
    accountId: s.accountId,
    username: s.username,
    roles: JSON.stringify(s.roles),
    chatId: s.chatId,
  };
}

export function createRedisAdminTelegramStore(redis: Redis): AdminTelegramStore {
  const rotateScript = redisScript(redis, 'propuskAdminTelegramRotate', ROTATE);
  const killScript = redisScript(redis, 'propuskAdminTelegramKill', KILL);

  async function readRefresh(refreshUuid: string) {
    return parseRefresh(
      await redisCall('admin refresh get', () => redis.hgetall(adminRefreshKey(refreshUuid))),
    );
  }
  async function readFamily(familyId: string) {
    const h = await redisCall('admin family get', () => redis.hgetall(adminFamilyKey(familyId)));
    return parseFamily(familyId, h);
  }

  return {
    async start(pair) {
      const s = pair.session;
      const replies = await redisCall('admin start', () =>
        redis
          .multi()
          .set(adminAccessKey(pair.accessUuid), JSON.stringify(s), 'EX', pair.accessTtlS)
          .hset(adminRefreshKey(pair.refreshUuid), {
            family: s.familyId,
            status: 'current',
            access: pair.accessUuid,
            exp: pair.refreshExp,
          })
          .expireat(adminRefreshKey(pair.refreshUuid), pair.refreshExp)
          .hset(adminFamilyKey(s.familyId), familyFields(pair))
          .expireat(adminFamilyKey(s.familyId), pair.refreshExp)
          .exec(),
      );
      if (!replies || replies.some(([err]) => err))
        throw new PropuskError('unavailable', 'redis: admin start failed');
    },
    async session(accessUuid) {
      return parseSession(await redisCall('admin session get', () => redis.get(adminAccessKey(accessUuid))));
    },
    refreshRecord: readRefresh,
    family: readFamily,
    async rotate(refreshUuid, next, grace): Promise<RotateOutcome> {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const record = await readRefresh(refreshUuid);
        const family = record && (await readFamily(record.familyId));
        if (!record || !family) return { outcome: 'invalid' };
        const pair = await next(family);
        const reply = await redisCall('admin rotate', () =>
          rotateScript(
            [
              adminRefreshKey(refreshUuid),
              adminFamilyKey(family.familyId),
              adminRefreshKey(family.refreshUuid),
              adminAccessKey(family.accessUuid),
              adminRefreshKey(pair.refreshUuid),
              adminAccessKey(pair.accessUuid),
            ],
            [
              family.familyId,
              refreshUuid,
              family.refreshUuid,
              family.accessUuid,
              pair.refreshUuid,
              pair.accessUuid,
              JSON.stringify(pair.session),
              pair.accessTtlS,
              pair.refreshExp,
              pair.session.tokenId,
              pair.session.exp,
              grace.nowMs,
              grace.graceMs,
            ],
          ),
        );
        const [outcome] = reply as [string];
        if (outcome === 'rotated') return { outcome, replaced: revokedFrom(reply) };
        if (outcome === 'reused') return { outcome, revoked: revokedFrom(reply) };
        if (outcome === 'invalid' || outcome === 'raced') return { outcome };
      }
      throw new PropuskError('unavailable', 'redis: admin rotate kept conflicting');
    },
    async kill(familyId) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const family = await readFamily(familyId);
        if (!family) return undefined;
        const reply = await redisCall('admin kill', () =>
          killScript(
            [
              adminFamilyKey(familyId),
              adminRefreshKey(family.refreshUuid),
              adminAccessKey(family.accessUuid),
            ],
            [family.refreshUuid, family.accessUuid],
          ),
        );
        const [outcome] = reply as [string];
        if (outcome === 'killed') return revokedFrom(reply);
        if (outcome === 'gone') return undefined;
      }
      throw new PropuskError('unavailable', 'redis: admin kill kept conflicting');
    },
  };
}
