/**
 * The Lua scripts of the Redis code store (redis-store.ts). Each touches only the keys it is
 * given, all of one code slot (one hash tag, keys.ts), as Redis Cluster requires
 * (https://redis.io/docs/latest/develop/interact/programmability/eval-intro/: "all keys ... must
 * be passed as input key arguments"). The lookup index entry of a code-only purpose is named
 * by the lookup the code's record holds (`l`); the caller reads it first and passes its key,
 * the script checks the record still holds it and answers `conflict` when not (read again).
 *
 * A live code is a hash `{d: digest, s: subject, x: expiresAt ms, l?: lookup}` with a TTL of
 * the code's lifetime; `x` (the domain's clock) is what decides expiry, the TTL only clears.
 */

// KEYS: code, attempts, cooldown, [index of the new code], [index of the replaced code]
// ARGV: digest, subject, expiresAt, ttlMs, cooldownMs, maxAttempts, lookup, replaced lookup
//       (a lookup is '' when there is none)
// Answers {outcome, ms} or {'issued', previousTtlMs, previous fields…}.
export const ISSUE = `
local codeKey, attemptsKey, cooldownKey = KEYS[1], KEYS[2], KEYS[3]
local ttl, cooldown, maxAttempts = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local lookup, replacedLookup = ARGV[7], ARGV[8]
if (redis.call('HGET', codeKey, 'l') or '') ~= replacedLookup then return {'conflict'} end

local cooling = redis.call('PTTL', cooldownKey)
if cooling > 0 then return {'cooldown', cooling} end

local attempts = tonumber(redis.call('GET', attemptsKey) or '0')
if attempts >= maxAttempts then
  local t = redis.call('PTTL', attemptsKey)
  if t < 1 then t = ttl end
  return {'attempts-exhausted', t}
end

if lookup ~= '' and redis.call('EXISTS', KEYS[4]) == 1 then return {'collision'} end

local previous = redis.call('HGETALL', codeKey)
local previousTtl = redis.call('PTTL', codeKey)
if replacedLookup ~= '' then redis.call('DEL', KEYS[#KEYS]) end
redis.call('DEL', codeKey)

redis.call('HSET', codeKey, 'd', ARGV[1], 's', ARGV[2], 'x', ARGV[3])
if lookup ~= '' then
  redis.call('HSET', codeKey, 'l', lookup)
  redis.call('SET', KEYS[4], ARGV[2], 'PX', ttl)
end
redis.call('PEXPIRE', codeKey, ttl)
if cooldown > 0 then redis.call('SET', cooldownKey, '1', 'PX', cooldown) end
if attempts > 0 and redis.call('PTTL', attemptsKey) < ttl then redis.call('PEXPIRE', attemptsKey, ttl) end
local out = {'issued', previousTtl}
for _, v in ipairs(previous) do out[#out + 1] = v end
return out
`;

// KEYS: code, cooldown, [index of the withdrawn code], [index of the replaced code]
// ARGV: digest of the code to withdraw, its lookup, replaced lookup, previousTtlMs, previous fields…
// Removes the code only when it is still the one issued, and puts the replaced one back.
export const WITHDRAW = `
local codeKey, cooldownKey = KEYS[1], KEYS[2]
if redis.call('HGET', codeKey, 'd') ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('DEL', KEYS[3]) end
redis.call('DEL', codeKey, cooldownKey)

local ttl = tonumber(ARGV[4])
if #ARGV < 5 or ttl < 1 then return 1 end
local fields, record = {}, {}
for i = 5, #ARGV, 2 do
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = ARGV[i + 1]
  record[ARGV[i]] = ARGV[i + 1]
end
-- The replaced code comes back only with its index entry (which no other code took meanwhile).
if ARGV[3] ~= '' and not redis.call('SET', KEYS[#KEYS], record.s, 'NX', 'PX', ttl) then return 1 end
redis.call('HSET', codeKey, unpack(fields))
redis.call('PEXPIRE', codeKey, ttl)
return 1
`;

// KEYS: code, attempts, [its index]. ARGV: digest, now ms, maxAttempts, the code's lookup ('' none).
export const CONSUME = `
local codeKey, attemptsKey = KEYS[1], KEYS[2]
local maxAttempts = tonumber(ARGV[3])
local r = redis.call('HMGET', codeKey, 'd', 's', 'x', 'l')
if (r[4] or '') ~= ARGV[4] then return {'conflict'} end
local digest, subject, expiresAt = r[1], r[2], r[3]
if not digest then return {'none'} end
local function kill()
  redis.call('DEL', codeKey)
  if ARGV[4] ~= '' then redis.call('DEL', KEYS[3]) end
end
if tonumber(expiresAt) <= tonumber(ARGV[2]) then
  kill()
  return {'none'}
end
if tonumber(redis.call('GET', attemptsKey) or '0') >= maxAttempts then
  kill()
  return {'none'}
end
if digest == ARGV[1] then
  kill()
  redis.call('DEL', attemptsKey)
  return {'consumed', subject}
end
local n = redis.call('INCR', attemptsKey)
local left = redis.call('PTTL', codeKey)
if redis.call('PTTL', attemptsKey) < left then redis.call('PEXPIRE', attemptsKey, left) end
if n >= maxAttempts then kill() end
return {'wrong'}
`;

// KEYS: the requester mark of an address (keys.ts requesterKey). ARGV: the code's lifetime ms.
// Lengthens the mark to the new code's lifetime, never shortens it: the mark must outlive every
// code requested from the address, even when replicas run with different ADMIN_CODE_TTL_S.
export const MARK_REQUESTER = `
local ttl = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('SET', KEYS[1], '1', 'PX', ttl) end
return 0
`;
