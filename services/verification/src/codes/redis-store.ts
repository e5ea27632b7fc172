import { createWindowCounters, redisScript, type Redis } from '@propusk/kit';
import { attemptsKey, codeKey, cooldownKey, indexKey } from './keys.js';
import type { CodeStore, ConsumeOutcome, IssueInput, IssueOutcome } from './store.js';

/**
 * Codes in Redis. Every change is one Lua script, so it is atomic: EVAL runs alone on the
 * server (https://redis.io/docs/latest/develop/interact/programmability/eval-intro/). That is
 * what makes a code single use under concurrent checks (compare-and-delete in one step) and
 * keeps a burst of requests from slipping past a limit. Keys get the namespace prefix from
 * kit's client (ioredis `keyPrefix` also applies to script KEYS); a code's index key is kept
 * in its record as the prefixed name the script saw. All keys of one call go to one server;
 * a Redis Cluster would need them in one hash slot.
 *
 * A live code is a hash `{d: digest, s: subject, x: expiresAt ms, k?: index key}` with a TTL of
 * the code's lifetime; `x` (the domain's clock) is what decides expiry, the TTL only clears.
 */

// KEYS: code, attempts, cooldown, send counters…, [index]
// ARGV: digest, subject, expiresAt, ttlMs, cooldownMs, maxAttempts, sendWindowMs, nSends, limits…
// Answers {outcome, ms} or {'issued', previousTtlMs, previous fields…}.
const ISSUE = `
local codeKey, attemptsKey, cooldownKey = KEYS[1], KEYS[2], KEYS[3]
local ttl, cooldown, maxAttempts = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local window, nSends = tonumber(ARGV[7]), tonumber(ARGV[8])
local indexKey = KEYS[4 + nSends]

local function waitOf(key, fallback)
  local t = redis.call('PTTL', key)
  if t < 1 then return fallback end
  return t
end

local cooling = redis.call('PTTL', cooldownKey)
if cooling > 0 then return {'cooldown', cooling} end

local attempts = tonumber(redis.call('GET', attemptsKey) or '0')
if attempts >= maxAttempts then return {'attempts-exhausted', waitOf(attemptsKey, ttl)} end

local wait = 0
for i = 1, nSends do
  local key = KEYS[3 + i]
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[8 + i]) then
    local t = waitOf(key, window)
    if t > wait then wait = t end
  end
end
if wait > 0 then return {'send-limited', wait} end

if indexKey and redis.call('EXISTS', indexKey) == 1 then return {'collision'} end

local previous = redis.call('HGETALL', codeKey)
local previousTtl = redis.call('PTTL', codeKey)
if #previous > 0 then
  local oldIndex = redis.call('HGET', codeKey, 'k')
  if oldIndex then redis.call('DEL', oldIndex) end
  redis.call('DEL', codeKey)
end

redis.call('HSET', codeKey, 'd', ARGV[1], 's', ARGV[2], 'x', ARGV[3])
if indexKey then
  redis.call('HSET', codeKey, 'k', indexKey)
  redis.call('SET', indexKey, ARGV[2], 'PX', ttl)
end
redis.call('PEXPIRE', codeKey, ttl)
if cooldown > 0 then redis.call('SET', cooldownKey, '1', 'PX', cooldown) end
if attempts > 0 and redis.call('PTTL', attemptsKey) < ttl then redis.call('PEXPIRE', attemptsKey, ttl) end
for i = 1, nSends do
  local key = KEYS[3 + i]
  redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, window) end
end
local out = {'issued', previousTtl}
for _, v in ipairs(previous) do out[#out + 1] = v end
return out
`;

// KEYS: code, cooldown, send counters…
// ARGV: digest of the code to withdraw, previousTtlMs, previous fields…
// Removes the code only when it is still the one issued; gives the sends back in any case.
const WITHDRAW = `
local codeKey, cooldownKey = KEYS[1], KEYS[2]
for i = 3, #KEYS do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n > 1 then redis.call('DECR', KEYS[i]) elseif n == 1 then redis.call('DEL', KEYS[i]) end
end
if redis.call('HGET', codeKey, 'd') ~= ARGV[1] then return 0 end
local index = redis.call('HGET', codeKey, 'k')
if index then redis.call('DEL', index) end
redis.call('DEL', codeKey, cooldownKey)

local ttl = tonumber(ARGV[2])
if #ARGV < 3 or ttl < 1 then return 1 end
local fields, record = {}, {}
for i = 3, #ARGV, 2 do
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = ARGV[i + 1]
  record[ARGV[i]] = ARGV[i + 1]
end
-- The replaced code comes back only with its index entry (which no other code took meanwhile).
if record.k and not redis.call('SET', record.k, record.s, 'NX', 'PX', ttl) then return 1 end
redis.call('HSET', codeKey, unpack(fields))
redis.call('PEXPIRE', codeKey, ttl)
return 1
`;

// KEYS: code, attempts. ARGV: digest, now ms, maxAttempts.
const CONSUME = `
local codeKey, attemptsKey = KEYS[1], KEYS[2]
local maxAttempts = tonumber(ARGV[3])
local r = redis.call('HMGET', codeKey, 'd', 's', 'x', 'k')
local digest, subject, expiresAt, index = r[1], r[2], r[3], r[4]
if not digest then return {'none'} end
local function kill()
  redis.call('DEL', codeKey)
  if index then redis.call('DEL', index) end
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

export function createRedisCodeStore(redis: Redis): CodeStore {
  const issue = redisScript(redis, 'propuskCodeIssue', ISSUE);
  const withdraw = redisScript(redis, 'propuskCodeWithdraw', WITHDRAW);
  const consume = redisScript(redis, 'propuskCodeConsume', CONSUME);
  const counters = createWindowCounters(redis);

  async function issueCode(input: IssueInput): Promise<IssueOutcome> {
    const { slot, record, sends } = input;
    const keys = [
      codeKey(slot),
      attemptsKey(slot),
      cooldownKey(slot),
      ...sends.map((s) => s.key),
      ...(input.lookup === undefined ? [] : [indexKey(slot.purpose, input.lookup)]),
    ];
    const reply = (await issue(keys, [
      record.digest,
      record.subject,
      record.expiresAt,
      input.ttlMs,
      input.cooldownMs,
      input.maxAttempts,
      input.sendWindowMs,
      sends.length,
      ...sends.map((s) => s.limit),
    ])) as [string, ...Array<string | number>];
    const [kind, ms, ...previous] = reply;
    switch (kind) {
      case 'cooldown':
      case 'attempts-exhausted':
      case 'send-limited':
        return { kind, retryAfterMs: Number(ms) };
      case 'collision':
        return { kind };
      case 'issued':
        return {
          kind,
          async withdraw() {
            const withdrawKeys = [codeKey(slot), cooldownKey(slot), ...sends.map((s) => s.key)];
            await withdraw(withdrawKeys, [record.digest, Number(ms), ...previous]);
          },
        };
      default:
        throw new Error(`unexpected issue reply ${String(kind)}`);
    }
  }

  return {
    issue: issueCode,
    async consume({ slot, digest, now, maxAttempts }): Promise<ConsumeOutcome> {
      const [kind, subject] = (await consume(
        [codeKey(slot), attemptsKey(slot)],
        [digest, now, maxAttempts],
      )) as [string, string?];
      if (kind === 'consumed' && subject !== undefined) return { kind, subject };
      return kind === 'wrong' ? { kind } : { kind: 'none' };
    },
    async findSubject(purpose, lookup) {
      return (await redis.get(indexKey(purpose, lookup))) ?? undefined;
    },
    take: (list, windowMs) => counters.take(list, windowMs),
    giveBack: (keys) => counters.giveBack(keys),
  };
}
