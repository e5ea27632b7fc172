// The purpose-wide budget of code-only guesses (document 000's admin registration) and its
// exemption (issue 15 item 4): anyone with enough addresses can spend the budget, so it must not
// stop the staff member who requested a code and types it from the same address (OWASP ASVS 5.0
// V6.3). That address keeps its own per-IP budget; every other address stays refused while the
// window lasts. Over the in-memory store, a fake publisher and a fake clock.
import t from 'tap';
import type { CheckRequest } from '../src/codes/flow.js';
import { adminRegistration, flowUnderTest, otherCode, smsLogin } from './fixtures/flow.js';

const OWNER = '203.0.113.9';
const ELSEWHERE = '198.51.100.200';

/** A code-only check of document 000 (step two sends only the code). */
function byCode(code: string, ip?: string): CheckRequest {
  return { purpose: 'admin-registration', code, ...(ip ? { ip } : {}) };
}

t.test(
  'the purpose-wide budget spent from many addresses: the address that requested the code still registers',
  async (t) => {
    const { flow, ctx, issue } = flowUnderTest({ limits: { lookupFailuresPerPurpose: 5 } });
    for (let i = 0; i < 5; i++) {
      await t.rejects(flow.check(byCode('000000', `192.0.2.${i}`), ctx), {
        code: 'code_invalid',
        status: 400,
      });
    }
    await t.rejects(
      flow.check(byCode('000000', '192.0.2.77'), ctx),
      { code: 'code_attempts_limited', status: 429, details: { retryAfter: 900 } },
      'the budget is spent: a fresh address is refused',
    );

    const code = await issue(adminRegistration('alice', '101', { ip: OWNER }));
    await t.rejects(
      flow.check(byCode(code, ELSEWHERE), ctx),
      { code: 'code_attempts_limited', status: 429 },
      'the right code from an address that requested none is refused',
    );
    await t.rejects(
      flow.check(byCode(code), ctx),
      { code: 'code_attempts_limited' },
      'and without an address',
    );
    t.same(await flow.check(byCode(code, OWNER), ctx), { subject: 'alice' }, 'the requester registers');
  },
);

t.test(
  "a requesting address keeps its own per-IP budget, and its failures spend the purpose's",
  async (t) => {
    const { flow, ctx, clock, issue } = flowUnderTest({
      limits: { checkFailuresPerIp: 3, lookupFailuresPerPurpose: 5 },
    });
    const code = await issue(adminRegistration('alice', '101', { ip: OWNER }));
    for (let i = 1; i <= 3; i++) {
      await t.rejects(flow.check(byCode(otherCode(code, i), OWNER), ctx), { code: 'code_invalid' });
    }
    await t.rejects(
      flow.check(byCode(code, OWNER), ctx),
      { code: 'code_attempts_limited', details: { retryAfter: 900 } },
      'past its per-IP budget the requester waits like anyone',
    );
    for (let i = 0; i < 2; i++) {
      await t.rejects(flow.check(byCode(otherCode(code, 10 + i), `192.0.2.${i}`), ctx), {
        code: 'code_invalid',
      });
    }
    await t.rejects(
      flow.check(byCode(otherCode(code, 20), '192.0.2.9'), ctx),
      { code: 'code_attempts_limited' },
      "3 of the requester's failures and 2 of others' spent the purpose's 5",
    );
    clock.advance(900_000);
    t.same(
      await flow.check(byCode(code, OWNER), ctx),
      { subject: 'alice' },
      'a new window: the code still lives',
    );
  },
);

t.test('the exemption lasts as long as the last code the address requested', async (t) => {
  const { flow, ctx, clock, issue } = flowUnderTest({
    limits: { lookupFailuresPerPurpose: 2, checkWindowS: 3600 },
  });
  const alice = await issue(adminRegistration('alice', '101', { ip: OWNER }));
  for (let i = 0; i < 2; i++)
    await t.rejects(flow.check(byCode(otherCode(alice, 1 + i), `192.0.2.${i}`), ctx));
  await t.rejects(flow.check(byCode(otherCode(alice, 5), ELSEWHERE), ctx), { code: 'code_attempts_limited' });

  clock.advance(1_200_000);
  const bob = await issue(adminRegistration('bob', '202', { ip: OWNER }));
  clock.advance(600_000);
  await t.rejects(
    flow.check(byCode(alice, OWNER), ctx),
    { code: 'code_invalid' },
    "alice's code died after 30 minutes, but bob's keeps the address exempt",
  );
  clock.advance(1_200_000);
  await t.rejects(
    flow.check(byCode(bob, OWNER), ctx),
    { code: 'code_attempts_limited' },
    'past the lifetime of every code it requested, the address is refused like any other',
  );
});

t.test('IPv6: the requester is its /64, as for the per-IP counters', async (t) => {
  const { flow, ctx, issue } = flowUnderTest({ limits: { lookupFailuresPerPurpose: 1 } });
  await t.rejects(flow.check(byCode('000000', '192.0.2.1'), ctx), { code: 'code_invalid' });
  const alice = await issue(adminRegistration('alice', '101', { ip: '2001:db8:1:2::1' }));
  await t.rejects(flow.check(byCode(alice, '2001:db8:1:3::1'), ctx), { code: 'code_attempts_limited' });
  t.same(await flow.check(byCode(alice, '2001:db8:1:2:ffff::9'), ctx), { subject: 'alice' });
});

t.test('only a queued code-only code marks its address', async (t) => {
  const { flow, ctx, store, publisher, issue } = flowUnderTest();
  const marks = () => store.keys().filter((k) => k.startsWith('code:requester:'));
  await issue(smsLogin('+79161234567', { ip: OWNER }));
  await issue(adminRegistration('alice', '101'));
  t.same(marks(), [], 'neither a v2 code nor a request without an address');
  publisher.failing = true;
  await t.rejects(flow.issue(adminRegistration('bob', '202', { ip: OWNER }), ctx), { code: 'unavailable' });
  t.same(marks(), [], 'nor a code whose message was not queued');
  publisher.failing = false;
  await issue(adminRegistration('bob', '202', { ip: OWNER }));
  t.same(marks(), [`code:requester:admin-registration:${OWNER}`]);
});

t.test(
  'a mark that cannot be recorded does not fail the issue; a lookup that cannot be made does',
  async (t) => {
    const { flow, ctx, store, issue, logLines } = flowUnderTest({ limits: { lookupFailuresPerPurpose: 1 } });
    store.recordRequester = () => Promise.reject(new Error('mark lost'));
    const code = await issue(adminRegistration('alice', '101', { ip: OWNER }));
    t.ok(
      logLines.some((l) => l.includes('code requester not recorded')),
      'logged',
    );
    await t.rejects(flow.check(byCode(otherCode(code), '192.0.2.1'), ctx), { code: 'code_invalid' });
    await t.rejects(
      flow.check(byCode(code, OWNER), ctx),
      { code: 'code_attempts_limited' },
      'without its mark the requester is an address like any other',
    );
    store.failing = true;
    await t.rejects(flow.check(byCode(code, OWNER), ctx), { code: 'unavailable', status: 503 });
  },
);
