import { createWindowCounters, redisScript, type RedisClient } from '@propusk/kit';
import { attemptsKey, codeKey, cooldownKey, indexKey, requesterKey, type CodeSlot } from './keys.js';
import { lookupOf } from './purposes.js';
import { CONSUME, ISSUE, MARK_REQUESTER, WITHDRAW } from './redis-scripts.js';
import type { CodeStore, ConsumeOutcome, IssueInput, IssueOutcome } from './store.js';

/**
 * Codes in Redis. Every change of a code slot is one Lua script (redis-scripts.ts), so it is
 * atomic: EVAL runs alone on the server
 * (https://redis.io/docs/latest/develop/interact/programmability/eval-intro/). That is what
 * makes a code single use under concurrent checks (compare-and-delete in one step). A script's
 * keys share the slot's hash tag (keys.ts), so it runs on a Redis Cluster too. The send
 * counters count destinations and IPs, each in a slot of its own: kit's window counters take
 * them before the code is stored and give them back when it is not. A requester mark (keys.ts
 * requesterKey) is one key, changed by a script of its own.
 */

/** A slot's index moves only when a code is issued or used: losing the race this often is a fault. */
const MAX_CONFLICTS = 5;

type Reply = [string, ...Array<string | number>];

/** Field `name` of a flat HGETALL answer. */
function fieldOf(flat: ReadonlyArray<string | number>, name: string): string | undefined {
  for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] === name) return String(flat[i + 1]);
  return undefined;
}

export function createRedisCodeStore(redis: RedisClient): CodeStore {
  const issue = redisScript(redis, 'propuskCodeIssue', ISSUE);
  const withdraw = redisScript(redis, 'propuskCodeWithdraw', WITHDRAW);
  const consume = redisScript(redis, 'propuskCodeConsume', CONSUME);
  const markRequester = redisScript(redis, 'propuskCodeMarkRequester', MARK_REQUESTER);
  const counters = createWindowCounters(redis);

  /** The index keys of the given lookups of a purpose ('' is no lookup, no key). */
  const indexKeys = (purpose: CodeSlot['purpose'], ...lookups: string[]) =>
    lookups.filter((l) => l !== '').map((l) => indexKey(purpose, l));

  /**
   * Runs a slot script with the lookup the slot's live code is indexed under ('' for none, and
   * always for purposes without an index); again when the script saw it change meanwhile.
   */
  async function withIndexed(slot: CodeSlot, script: (indexed: string) => Promise<unknown>): Promise<Reply> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const indexed = lookupOf(slot.purpose) === 'code' ? ((await redis.hget(codeKey(slot), 'l')) ?? '') : '';
      const reply = (await script(indexed)) as Reply;
      if (reply[0] !== 'conflict') return reply;
    }
    throw new Error('redis: the code slot kept changing');
  }

  /** Stores the code in its slot: cooldown, attempts and collisions decide. */
  function store(input: IssueInput): Promise<Reply> {
    const { slot, record } = input;
    const lookup = input.lookup ?? '';
    return withIndexed(slot, (indexed) =>
      issue(
        [codeKey(slot), attemptsKey(slot), cooldownKey(slot), ...indexKeys(slot.purpose, lookup, indexed)],
        [
          record.digest,
          record.subject,
          record.expiresAt,
          input.ttlMs,
          input.cooldownMs,
          input.maxAttempts,
          lookup,
          indexed,
        ],
      ),
    );
  }

  async function issueCode(input: IssueInput): Promise<IssueOutcome> {
    const { slot, record, sends } = input;
    const sendKeys = sends.map((s) => s.key);
    const sent = await counters.take(sends, input.sendWindowMs);
    if (!sent.allowed) return { kind: 'send-limited', retryAfterMs: sent.retryAfterMs };
    let reply: Reply;
    try {
      reply = await store(input);
    } catch (err) {
      await counters.giveBack(sendKeys).catch(() => undefined);
      throw err;
    }
    const [kind, ms, ...previous] = reply;
    if (kind !== 'issued') await counters.giveBack(sendKeys);
    switch (kind) {
      case 'cooldown':
      case 'attempts-exhausted':
        return { kind, retryAfterMs: Number(ms) };
      case 'collision':
        return { kind };
      case 'issued':
        return {
          kind,
          async withdraw() {
            const lookup = input.lookup ?? '';
            const replaced = fieldOf(previous, 'l') ?? '';
            await withdraw(
              [codeKey(slot), cooldownKey(slot), ...indexKeys(slot.purpose, lookup, replaced)],
              [record.digest, lookup, replaced, Number(ms), ...previous],
            );
            // The sends come back in any case: this code's message never left.
            await counters.giveBack(sendKeys);
          },
        };
      default:
        throw new Error(`unexpected issue reply ${String(kind)}`);
    }
  }

  return {
    issue: issueCode,
    async consume({ slot, digest, now, maxAttempts }): Promise<ConsumeOutcome> {
      const [kind, subject] = await withIndexed(slot, (indexed) =>
        consume(
          [codeKey(slot), attemptsKey(slot), ...indexKeys(slot.purpose, indexed)],
          [digest, now, maxAttempts, indexed],
        ),
      );
      if (kind === 'consumed' && subject !== undefined) return { kind, subject: String(subject) };
      return kind === 'wrong' ? { kind } : { kind: 'none' };
    },
    async findSubject(purpose, lookup) {
      return (await redis.get(indexKey(purpose, lookup))) ?? undefined;
    },
    take: (list, windowMs) => counters.take(list, windowMs),
    giveBack: (keys) => counters.giveBack(keys),
    async recordRequester(purpose, ip, ttlMs) {
      await markRequester([requesterKey(purpose, ip)], [ttlMs]);
    },
    async isRequester(purpose, ip) {
      return (await redis.exists(requesterKey(purpose, ip))) === 1;
    },
  };
}
