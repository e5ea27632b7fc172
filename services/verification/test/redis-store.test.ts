// The Redis code store against the real Redis (a namespace per test), on the shared single
// server and on a Redis Cluster of its own: single use under concurrency, attempts across
// resends, cooldown, collisions, withdraw, counters; every script and multi-key command of
// the store runs here, and the cluster never answers CROSSSLOT.
import t, { type Test } from 'tap';
import { redisTargets, type RedisUnderTest } from '@propusk/testkit';
import { createCodeService } from '../src/codes/service.js';
import {
  attemptsKey,
  codeKey,
  cooldownKey,
  indexKey,
  requesterKey,
  type CodeSlot,
} from '../src/codes/keys.js';
import { createRedisCodeStore } from '../src/codes/redis-store.js';
import type { IssueInput } from '../src/codes/store.js';
import { createVerificationFlow } from '../src/codes/flow.js';
import { purposePolicies } from '../src/codes/purposes.js';
import { loadConfig } from '@propusk/kit';
import { VERIFICATION_SETTINGS } from '../src/settings.js';
import { codeOf, fakePublisher } from './fixtures/fakes.js';
import { DEFAULT_LIMITS, TEST_HMAC_KEY } from './fixtures/flow.js';
import { namespacedRedis, testNamespace } from './fixtures/redis.js';
import { silentLog } from './fixtures/silent-log.js';

// Started before the first test: awaited later, tap's root could end in between (it ends once
// its queued tests are done), and the Redis tests would then be created too late.
const REDIS_TARGETS = await redisTargets((fn) => t.teardown(fn));

const codes = createCodeService({ hmacKey: TEST_HMAC_KEY });
const TTL = 600_000;

function slotOf(subject: string, purpose: CodeSlot['purpose'] = 'v2-login'): CodeSlot {
  return { purpose, subjectId: codes.subjectId(subject) };
}

function issueInput(subject: string, code: string, extra: Partial<IssueInput> = {}): IssueInput {
  const purpose = extra.slot?.purpose ?? 'v2-login';
  return {
    slot: slotOf(subject, purpose),
    record: { digest: codes.digest(purpose, subject, code), subject, expiresAt: Date.now() + TTL },
    ttlMs: TTL,
    cooldownMs: 60_000,
    maxAttempts: 5,
    sends: [],
    sendWindowMs: 3_600_000,
    ...extra,
  };
}

function consumeInput(subject: string, code: string, purpose: CodeSlot['purpose'] = 'v2-login') {
  return {
    slot: slotOf(subject, purpose),
    digest: codes.digest(purpose, subject, code),
    now: Date.now(),
    maxAttempts: 5,
  };
}

/** Every test of the store, on one Redis. */
function storeTests(t: Test, target: RedisUnderTest) {
  async function storeUnderTest(t: { teardown(fn: () => Promise<void>): void }) {
    const redis = await namespacedRedis(testNamespace(), target.url);
    t.teardown(redis.close);
    return { ...redis, store: createRedisCodeStore(redis.redis) };
  }

  t.test('50 concurrent checks of one right code: exactly one succeeds', async (t) => {
    const { store } = await storeUnderTest(t);
    t.match(await store.issue(issueInput('+79161234567', '123456')), { kind: 'issued' });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () => store.consume(consumeInput('+79161234567', '123456'))),
    );
    t.equal(outcomes.filter((o) => o.kind === 'consumed').length, 1);
    t.equal(outcomes.filter((o) => o.kind === 'none').length, 49, 'the rest find no code');
  });

  t.test(
    'through the flow: 50 parallel checks of one right code answer one subject and 49 code_invalid',
    async (t) => {
      const { redis } = await storeUnderTest(t);
      const publisher = fakePublisher();
      const flow = createVerificationFlow({
        store: createRedisCodeStore(redis),
        codes,
        publisher,
        policies: purposePolicies(loadConfig(VERIFICATION_SETTINGS, {})),
        limits: DEFAULT_LIMITS,
      });
      const ctx = { log: silentLog };
      await flow.issue(
        { purpose: 'admin-registration', subject: 'alice', channel: 'telegram', to: '101' },
        ctx,
      );
      const code = codeOf(publisher.sent[0]);
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () => flow.check({ purpose: 'admin-registration', code }, ctx)),
      );
      const wins = results.filter((r) => r.status === 'fulfilled');
      t.same(
        wins.map((r) => r.value),
        [{ subject: 'alice' }],
      );
      t.ok(
        results.every(
          (r) => r.status === 'fulfilled' || (r.reason as { code: string }).code === 'code_invalid',
        ),
        'the others are code_invalid',
      );
    },
  );

  t.test('records hold only digests, with TTLs; consuming removes the code and its index', async (t) => {
    const { store, redis, keys } = await storeUnderTest(t);
    const lookup = codes.lookupDigest('admin-registration', '654321');
    const input = issueInput('alice', '654321', {
      slot: slotOf('alice', 'admin-registration'),
      lookup,
      ttlMs: 1_800_000,
    });
    t.match(await store.issue(input), { kind: 'issued' });
    const slot = input.slot;
    t.same(await keys(), [codeKey(slot), cooldownKey(slot), indexKey('admin-registration', lookup)].sort());
    const pttl = await redis.pttl(codeKey(slot));
    t.ok(pttl > 1_790_000 && pttl <= 1_800_000, `code TTL ${pttl}`);
    t.notMatch(JSON.stringify(await redis.hgetall(codeKey(slot))), '654321');
    t.equal(await store.findSubject('admin-registration', lookup), 'alice');
    t.same(await store.consume(consumeInput('alice', '654321', 'admin-registration')), {
      kind: 'consumed',
      subject: 'alice',
    });
    t.equal(await store.findSubject('admin-registration', lookup), undefined);
    t.same(await keys(), [cooldownKey(slot)]);
  });

  t.test('expiry is judged by the domain clock', async (t) => {
    const { store } = await storeUnderTest(t);
    await store.issue(issueInput('+79161234567', '111111'));
    const late = { ...consumeInput('+79161234567', '111111'), now: Date.now() + TTL + 1 };
    t.same(await store.consume(late), { kind: 'none' });
    t.same(await store.consume(consumeInput('+79161234567', '111111')), { kind: 'none' }, 'and it is gone');
  });

  t.test(
    'wrong attempts carry over a resend; the fifth kills the code; issuing is refused until they expire',
    async (t) => {
      const { store, redis } = await storeUnderTest(t);
      const subject = '+79161234567';
      await store.issue(issueInput(subject, '111111', { cooldownMs: 0 }));
      for (let i = 0; i < 3; i++)
        t.same(await store.consume(consumeInput(subject, '999999')), { kind: 'wrong' });
      t.match(await store.issue(issueInput(subject, '222222', { cooldownMs: 0 })), { kind: 'issued' });
      t.same(await store.consume(consumeInput(subject, '999999')), { kind: 'wrong' });
      t.same(await store.consume(consumeInput(subject, '999999')), { kind: 'wrong' }, 'the fifth');
      t.same(await store.consume(consumeInput(subject, '222222')), { kind: 'none' }, 'dead');
      const refused = await store.issue(issueInput(subject, '333333', { cooldownMs: 0 }));
      t.match(refused, { kind: 'attempts-exhausted' });
      t.ok(
        (refused as { retryAfterMs: number }).retryAfterMs > TTL - 10_000,
        'for the rest of the last code',
      );
      await redis.del(attemptsKey(slotOf(subject)));
      t.match(await store.issue(issueInput(subject, '333333', { cooldownMs: 0 })), { kind: 'issued' });
      t.same(await store.consume(consumeInput(subject, '333333')), { kind: 'consumed', subject });
    },
  );

  t.test('cooldown and send counters refuse without changing anything', async (t) => {
    const { store, keys } = await storeUnderTest(t);
    const sends = [{ key: 'code:sent:to:x', limit: 2 }];
    t.match(await store.issue(issueInput('a', '111111', { sends })), { kind: 'issued' });
    const cooling = await store.issue(issueInput('a', '222222', { sends }));
    t.match(cooling, { kind: 'cooldown' });
    t.ok((cooling as { retryAfterMs: number }).retryAfterMs > 59_000);
    t.same(
      await store.consume(consumeInput('a', '111111')),
      { kind: 'consumed', subject: 'a' },
      'first code kept',
    );
    t.match(await store.issue(issueInput('b', '111111', { sends })), { kind: 'issued' });
    const before = await keys();
    const limited = await store.issue(issueInput('c', '111111', { sends }));
    t.match(limited, { kind: 'send-limited' });
    t.ok((limited as { retryAfterMs: number }).retryAfterMs > 3_590_000);
    t.same(await keys(), before);
  });

  t.test('a lookup digest held by a live code is a collision', async (t) => {
    const { store } = await storeUnderTest(t);
    const slot = (s: string) => slotOf(s, 'admin-registration');
    const lookup = codes.lookupDigest('admin-registration', '123123');
    t.match(await store.issue(issueInput('alice', '123123', { slot: slot('alice'), lookup })), {
      kind: 'issued',
    });
    t.same(await store.issue(issueInput('bob', '123123', { slot: slot('bob'), lookup })), {
      kind: 'collision',
    });
    t.equal(await store.findSubject('admin-registration', lookup), 'alice');
  });

  t.test('withdraw removes the new code, cooldown and sends, and puts the replaced code back', async (t) => {
    const { store, keys, redis } = await storeUnderTest(t);
    const slot = slotOf('alice', 'admin-registration');
    const first = codes.lookupDigest('admin-registration', '100001');
    const second = codes.lookupDigest('admin-registration', '200002');
    const sends = [{ key: 'code:sent:to:y', limit: 5 }];
    await store.issue(issueInput('alice', '100001', { slot, lookup: first, cooldownMs: 0, sends }));
    const before = await keys();
    const outcome = await store.issue(issueInput('alice', '200002', { slot, lookup: second, sends }));
    if (outcome.kind !== 'issued') throw new Error(outcome.kind);
    t.equal(await store.findSubject('admin-registration', first), undefined, 'replaced');
    await outcome.withdraw();
    t.same(await keys(), before);
    t.equal(await store.findSubject('admin-registration', second), undefined);
    t.equal(await store.findSubject('admin-registration', first), 'alice');
    t.same(await store.consume(consumeInput('alice', '100001', 'admin-registration')), {
      kind: 'consumed',
      subject: 'alice',
    });

    const untouched = await keys();
    const fresh = await store.issue(issueInput('bob', '300003', { sends }));
    if (fresh.kind !== 'issued') throw new Error(fresh.kind);
    await fresh.withdraw();
    t.same(await keys(), untouched, 'a first code leaves nothing behind');
    t.equal(await redis.get('code:sent:to:y'), '1', 'only the delivered code counts as a send');
  });

  t.test('counters: take under the limit, refuse at it, give back', async (t) => {
    const { store } = await storeUnderTest(t);
    const counters = [
      { key: 'code:failed:ip:1', limit: 2 },
      { key: 'code:failed:purpose:admin-registration', limit: 3 },
    ];
    t.same(await store.take(counters, 60_000), { allowed: true });
    t.same(await store.take(counters, 60_000), { allowed: true });
    const refused = await store.take(counters, 60_000);
    t.match(refused, { allowed: false });
    await store.giveBack(['code:failed:ip:1']);
    t.same(await store.take(counters, 60_000), { allowed: true });
    t.match(await store.take([counters[1]!], 60_000), { allowed: false }, 'the purpose counter reached 3');
  });

  t.test(
    'requester marks: per address (IPv6 per /64), lengthened to the longest code, never shortened',
    async (t) => {
      const { store, redis } = await storeUnderTest(t);
      const purpose = 'admin-registration';
      t.equal(await store.isRequester(purpose, '203.0.113.9'), false);
      await store.recordRequester(purpose, '203.0.113.9', 60_000);
      t.equal(await store.isRequester(purpose, '203.0.113.9'), true);
      t.equal(await store.isRequester(purpose, '203.0.113.10'), false, 'another address');
      t.equal(await store.isRequester('v2-login', '203.0.113.9'), false, 'another purpose');
      await store.recordRequester(purpose, '203.0.113.9', 1_800_000);
      const longer = await redis.pttl(requesterKey(purpose, '203.0.113.9'));
      t.ok(longer > 1_790_000, `lengthened to ${longer} ms`);
      await store.recordRequester(purpose, '203.0.113.9', 60_000);
      const kept = await redis.pttl(requesterKey(purpose, '203.0.113.9'));
      t.ok(kept > 1_790_000, `not shortened: ${kept} ms`);
      await store.recordRequester(purpose, '2001:db8:1:2::1', 60_000);
      t.equal(await store.isRequester(purpose, '2001:db8:1:2:ab::7'), true, 'the same /64');
      t.equal(await store.isRequester(purpose, '2001:db8:1:3::1'), false, 'another /64');
    },
  );

  t.test('no script or command answered CROSSSLOT', async (t) => {
    t.equal(await target.crossSlotErrors(), 0);
  });
}

for (const target of REDIS_TARGETS) t.test(target.name, async (t) => storeTests(t, target));
