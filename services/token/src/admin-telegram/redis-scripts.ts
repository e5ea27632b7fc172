/** The Lua scripts of the admin-telegram store (redis-store.ts). */

/**
 * Refresh rotation in one step. The keys of the family's current pair are read beforehand and
 * passed in (a script must declare every key it touches); if the family moved on meanwhile
 * the script changes nothing and answers `conflict`, and the caller reads again.
 * KEYS (all of the family's slot, redis-keys.ts): presented refresh, family, family's current
 * refresh, its current access, new refresh, new access.
 * ARGV: family id, presented uuid, expected current refresh uuid, expected current access uuid,
 *       new refresh uuid, new access uuid, new session JSON, access TTL s, new refresh exp,
 *       new access tokenId, new access exp, now ms, reuse grace ms.
 *
 * A used token is a reuse unless it was rotated less than the grace ago into the family's
 * current refresh token (RFC 9700 §4.14.2 allows for this): two requests of one client that
 * raced each other. That one is answered `raced` and changes nothing.
 */
export const ROTATE = `
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
export const KILL = `
local fam = redis.call('HMGET', KEYS[1], 'refresh', 'access', 'accessTokenId', 'accessExp')
if not fam[1] then return {'gone'} end
if fam[1] ~= ARGV[1] or fam[2] ~= ARGV[2] then return {'conflict'} end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return {'killed', fam[3], fam[4]}
`;
