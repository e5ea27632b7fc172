// What the code flow reports through its events port (a recording fake; the e2e test
// test/e2e/events.test.ts sees the same on JetStream): issued once queued, verified once used,
// failed with why; never the code, the subject or where it went.
import t from 'tap';
import { loadConfig } from '@propusk/kit';
import { createVerificationFlow } from '../src/codes/flow.js';
import { purposePolicies } from '../src/codes/purposes.js';
import { createCodeService } from '../src/codes/service.js';
import type { CodeEvents } from '../src/events/port.js';
import { VERIFICATION_SETTINGS } from '../src/settings.js';
import { codeOf, fakeClock, fakePublisher, memoryCodeStore } from './fixtures/fakes.js';
import { DEFAULT_LIMITS, otherCode, smsLogin, TEST_HMAC_KEY } from './fixtures/flow.js';
import { capturingLog } from './fixtures/silent-log.js';

const PHONE = '+79161234567';

function setup(limits: Partial<typeof DEFAULT_LIMITS> = {}) {
  const seen: Array<[string, unknown]> = [];
  const events: CodeEvents = {
    issued: (e) => void seen.push(['issued', e]),
    verified: (e) => void seen.push(['verified', e]),
    failed: (e) => void seen.push(['failed', e]),
  };
  const clock = fakeClock();
  const publisher = fakePublisher();
  const flow = createVerificationFlow({
    store: memoryCodeStore(clock),
    codes: createCodeService({ hmacKey: TEST_HMAC_KEY }),
    publisher,
    policies: purposePolicies(loadConfig(VERIFICATION_SETTINGS, {})),
    limits: { ...DEFAULT_LIMITS, ...limits },
    clock: clock.now,
    events,
  });
  const ctx = { requestId: 'req-7', log: capturingLog().log };
  return { flow, ctx, publisher, seen };
}

t.test('issued, then failed for a wrong code, then verified; nothing personal in them', async (t) => {
  const { flow, ctx, publisher, seen } = setup();
  await flow.issue(smsLogin(PHONE), ctx);
  const code = codeOf(publisher.sent.at(-1));
  await t.rejects(flow.check({ purpose: 'v2-login', code: otherCode(code), subject: PHONE }, ctx));
  await flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx);
  t.same(seen, [
    ['issued', { purpose: 'v2-login', channel: 'sms', requestId: 'req-7' }],
    ['failed', { purpose: 'v2-login', reason: 'invalid', requestId: 'req-7' }],
    ['verified', { purpose: 'v2-login', requestId: 'req-7' }],
  ]);
  t.notMatch(JSON.stringify(seen), new RegExp(`${code}|\\+7916`), 'no code and no phone number');
});

t.test(
  'a code that was not queued is not issued; too many wrong tries fail as attempts_limited',
  async (t) => {
    const { flow, ctx, publisher, seen } = setup({ checkFailuresPerIp: 1 });
    publisher.failing = true;
    await t.rejects(flow.issue(smsLogin(PHONE), ctx), { code: 'unavailable' });
    publisher.failing = false;
    t.same(seen, [], 'no event for a code nobody can receive');
    const req = { purpose: 'v2-login', code: '000000', subject: PHONE, ip: '192.0.2.9' } as const;
    await t.rejects(flow.check(req, ctx), { code: 'code_invalid' });
    await t.rejects(flow.check(req, ctx), { code: 'code_attempts_limited' });
    t.same(
      seen.map(([, e]) => (e as { reason: string }).reason),
      ['invalid', 'attempts_limited'],
    );
  },
);
