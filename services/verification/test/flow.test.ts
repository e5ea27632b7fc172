// The code flow, the domain: issue and check over an in-memory store, a fake publisher and a
// fake clock — lifetimes, single use, attempts across resends, cooldown, limits, rollback.
import t from 'tap';
import { createCodeService } from '../src/codes/service.js';
import { codeKey } from '../src/codes/keys.js';
import { utcPhrase } from '../src/codes/messages.js';
import { codeOf } from './fixtures/fakes.js';
import { adminRegistration, flowUnderTest, otherCode, smsLogin, TEST_HMAC_KEY } from './fixtures/flow.js';

const PHONE = '+79161234567';

t.test('issue queues the message with a fresh six-digit code and answers the lifetimes', async (t) => {
  const { flow, ctx, publisher, clock } = flowUnderTest();
  t.same(await flow.issue(smsLogin(PHONE, { ip: '192.0.2.1' }), ctx), { expiresIn: 600, resendAfter: 60 });
  t.equal(publisher.sent.length, 1);
  const [message] = publisher.sent;
  t.match(message, {
    channel: 'sms',
    to: PHONE,
    kind: 'v2-login',
    requestId: 'req-1',
    subject: 'Код для входа',
  });
  t.match(message?.text, /^Код для входа: \d{6}\. Никому не сообщайте его\.$/);

  const request = adminRegistration('i0hukc', '3546223', { ip: '203.0.113.9' });
  t.same(await flow.issue(request, ctx), { expiresIn: 1800, resendAfter: 60 });
  const admin = publisher.sent[1];
  t.match(admin, { channel: 'telegram', to: '3546223', kind: 'admin-registration' });
  t.equal(
    admin?.text,
    `Для регистрации в админке выбран пароль: запрос ${utcPhrase(clock.now())} с адреса 203.0.113.9. ` +
      `Код подтверждения: ${codeOf(admin)}. Код действует 30 минут. ` +
      'Если это были не вы, проигнорируйте это сообщение и не вводите код.',
    'the message names the time and the address of the request (issue 15)',
  );
});

t.test('a right code answers its subject once; the same code again is code_invalid', async (t) => {
  const { flow, ctx, issue } = flowUnderTest();
  const code = await issue(smsLogin(PHONE));
  t.same(await flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx), { subject: PHONE });
  await t.rejects(flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx), {
    name: 'PropuskError',
    code: 'code_invalid',
    status: 400,
  });
});

t.test('admin-registration is checked by the code alone and answers the username', async (t) => {
  const { flow, ctx, issue } = flowUnderTest();
  const alice = await issue(adminRegistration('alice', '101'));
  const bob = await issue(adminRegistration('bob', '202'));
  t.same(await flow.check({ purpose: 'admin-registration', code: bob }, ctx), { subject: 'bob' });
  t.same(await flow.check({ purpose: 'admin-registration', code: alice }, ctx), { subject: 'alice' });
  await t.rejects(flow.check({ purpose: 'admin-registration', code: alice }, ctx), { code: 'code_invalid' });
});

t.test('a v2 check without its subject is refused as a bad request', async (t) => {
  const { flow, ctx, issue } = flowUnderTest();
  const code = await issue(smsLogin(PHONE));
  await t.rejects(flow.check({ purpose: 'v2-login', code }, ctx), { code: 'invalid_request', status: 400 });
  t.same(await flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx), { subject: PHONE });
});

t.test('a code expires with its purpose: 10 minutes for v2, 30 for admin-registration', async (t) => {
  const { flow, ctx, clock, issue } = flowUnderTest({ limits: { resendS: 0 } });
  let code = await issue(smsLogin(PHONE));
  clock.advance(600_000 - 1);
  t.same(
    await flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx),
    { subject: PHONE },
    'last moment',
  );

  code = await issue(smsLogin(PHONE));
  clock.advance(600_000);
  await t.rejects(flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx), { code: 'code_invalid' });

  const admin = await issue(adminRegistration('alice', '101'));
  clock.advance(1_200_000);
  t.same(
    await flow.check({ purpose: 'admin-registration', code: admin }, ctx),
    { subject: 'alice' },
    'at 20 min',
  );
  const late = await issue(adminRegistration('alice', '101'));
  clock.advance(1_800_000);
  await t.rejects(flow.check({ purpose: 'admin-registration', code: late }, ctx), { code: 'code_invalid' });
});

t.test('a code proves only its purpose and subject', async (t) => {
  const { flow, ctx, issue } = flowUnderTest();
  const code = await issue(smsLogin(PHONE));
  for (const [purpose, subject] of [
    ['v2-verification', PHONE],
    ['v2-recovery', PHONE],
    ['v2-login', '+79160000000'],
    ['admin-registration', PHONE],
  ] as const) {
    await t.rejects(
      flow.check({ purpose, code, subject }, ctx),
      { code: 'code_invalid' },
      `${purpose} ${subject}`,
    );
  }
  await t.rejects(
    flow.check({ purpose: 'admin-registration', code }, ctx),
    { code: 'code_invalid' },
    'code alone',
  );
  const admin = await issue(adminRegistration('alice', '101'));
  await t.rejects(flow.check({ purpose: 'admin-registration', code: admin, subject: 'bob' }, ctx), {
    code: 'code_invalid',
  });
  t.same(
    await flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx),
    { subject: PHONE },
    'still its own',
  );
  t.same(await flow.check({ purpose: 'admin-registration', code: admin }, ctx), { subject: 'alice' });
});

t.test('wrong tries are bounded per subject across resends; at the limit the code is dead', async (t) => {
  const { flow, ctx, clock, issue } = flowUnderTest();
  const first = await issue(smsLogin(PHONE));
  for (let i = 1; i <= 3; i++) {
    await t.rejects(flow.check({ purpose: 'v2-login', code: otherCode(first, i), subject: PHONE }, ctx), {
      code: 'code_invalid',
    });
  }
  clock.advance(60_000);
  const second = await issue(smsLogin(PHONE));
  await t.rejects(flow.check({ purpose: 'v2-login', code: first, subject: PHONE }, ctx), {
    code: 'code_invalid',
  });
  // Four wrong tries so far (the replaced code counts as one): the fifth kills the code.
  await t.rejects(flow.check({ purpose: 'v2-login', code: otherCode(second), subject: PHONE }, ctx), {
    code: 'code_invalid',
  });
  await t.rejects(flow.check({ purpose: 'v2-login', code: second, subject: PHONE }, ctx), {
    code: 'code_invalid',
  });

  clock.advance(60_000);
  const refused = await flow.issue(smsLogin(PHONE), ctx).catch((e: unknown) => e);
  t.match(refused, { code: 'code_attempts_limited', status: 429 }, 'no fresh tries by resending');
  // The count lives as long as the last code would have: 10 minutes from the resend.
  t.equal((refused as { details: { retryAfter: number } }).details.retryAfter, 540);
  clock.advance(540_000);
  const third = await issue(smsLogin(PHONE));
  t.same(await flow.check({ purpose: 'v2-login', code: third, subject: PHONE }, ctx), { subject: PHONE });
});

t.test('four wrong tries still leave the right code usable, and a success clears them', async (t) => {
  const { flow, ctx, clock, issue } = flowUnderTest();
  let code = await issue(smsLogin(PHONE));
  for (let i = 1; i <= 4; i++) {
    await t.rejects(flow.check({ purpose: 'v2-login', code: otherCode(code, i), subject: PHONE }, ctx));
  }
  t.same(await flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx), { subject: PHONE });
  clock.advance(60_000);
  code = await issue(smsLogin(PHONE));
  for (let i = 1; i <= 4; i++) {
    await t.rejects(flow.check({ purpose: 'v2-login', code: otherCode(code, i), subject: PHONE }, ctx));
  }
  t.same(await flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx), { subject: PHONE });
});

t.test('resend cooldown per purpose and subject: code_resend_too_soon with the seconds left', async (t) => {
  const { flow, ctx, clock, issue, publisher } = flowUnderTest();
  const first = await issue(smsLogin(PHONE));
  clock.advance(20_500);
  await t.rejects(flow.issue(smsLogin(PHONE), ctx), {
    name: 'PropuskError',
    code: 'code_resend_too_soon',
    status: 429,
    details: { retryAfter: 40 },
  });
  t.equal(publisher.sent.length, 1, 'nothing sent');
  await issue(smsLogin(PHONE, { purpose: 'v2-recovery' }));
  await issue(smsLogin('+79160000000'));
  t.equal(publisher.sent.length, 3, 'other purposes and subjects have their own cooldown');
  clock.advance(39_500);
  const second = await issue(smsLogin(PHONE));
  t.not(second, first);
  await t.rejects(flow.check({ purpose: 'v2-login', code: first, subject: PHONE }, ctx), {
    code: 'code_invalid',
  });
  t.same(await flow.check({ purpose: 'v2-login', code: second, subject: PHONE }, ctx), { subject: PHONE });
});

t.test('send limits per destination and per IP in the hour: code_send_limited', async (t) => {
  const { flow, ctx, clock } = flowUnderTest({ limits: { sendsPerDestination: 3, sendsPerIp: 5 } });
  for (let i = 0; i < 3; i++) await flow.issue(smsLogin(`+7916000000${i}`, { to: PHONE }), ctx);
  const err = await flow.issue(smsLogin('+79169999999', { to: PHONE }), ctx).catch((e: unknown) => e);
  t.match(err, { code: 'code_send_limited', status: 429, details: { retryAfter: 3600 } });
  await flow.issue(smsLogin('+79169999999', { to: PHONE, channel: 'email' }), ctx);

  for (let i = 0; i < 5; i++) await flow.issue(smsLogin(`+7917000000${i}`, { ip: '198.51.100.7' }), ctx);
  clock.advance(600_000);
  await t.rejects(flow.issue(smsLogin('+79179999999', { ip: '198.51.100.7' }), ctx), {
    code: 'code_send_limited',
    details: { retryAfter: 3000 },
  });
  await flow.issue(smsLogin('+79179999999', { ip: '198.51.100.8' }), ctx);
  clock.advance(3_000_000);
  await flow.issue(smsLogin('+79179999999', { ip: '198.51.100.7', purpose: 'v2-recovery' }), ctx);
  t.pass('the window ends after the hour');
});

t.test('publish failure: unavailable, and neither the code nor the cooldown remains', async (t) => {
  const { flow, ctx, store, publisher, issue } = flowUnderTest({ limits: { sendsPerDestination: 1 } });
  publisher.failing = true;
  await t.rejects(flow.issue(smsLogin(PHONE), ctx), { code: 'unavailable', status: 503 });
  t.same(store.keys(), [], 'no code, index, cooldown or send counted');
  publisher.failing = false;
  const code = await issue(smsLogin(PHONE));
  t.same(await flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx), { subject: PHONE });

  const before = store.keys();
  publisher.failing = true;
  await t.rejects(flow.issue(adminRegistration('alice', '101'), ctx), { code: 'unavailable' });
  t.same(store.keys(), before, 'nor of a code-only purpose (its index)');
});

t.test('a resend whose message is not queued leaves the previous code in force', async (t) => {
  const { flow, ctx, clock, publisher, issue } = flowUnderTest();
  const first = await issue(adminRegistration('alice', '101'));
  clock.advance(60_000);
  publisher.failing = true;
  await t.rejects(flow.issue(adminRegistration('alice', '101'), ctx), { code: 'unavailable' });
  publisher.failing = false;
  t.same(await flow.check({ purpose: 'admin-registration', code: first }, ctx), { subject: 'alice' });
});

t.test('wrong checks per IP are limited, the right ones are not counted', async (t) => {
  const { flow, ctx, issue } = flowUnderTest({ limits: { checkFailuresPerIp: 3 } });
  const ip = '203.0.113.5';
  const code = await issue(smsLogin(PHONE));
  await t.resolves(flow.check({ purpose: 'v2-login', code, subject: PHONE, ip }, ctx));
  for (let i = 0; i < 3; i++) {
    await t.rejects(
      flow.check({ purpose: 'v2-recovery', code: '000000', subject: `+7916111111${i}`, ip }, ctx),
      {
        code: 'code_invalid',
      },
    );
  }
  const next = await issue(smsLogin('+79162222222'));
  const err = await flow
    .check({ purpose: 'v2-login', code: next, subject: '+79162222222', ip }, ctx)
    .catch((e: unknown) => e);
  t.match(err, { code: 'code_attempts_limited', status: 429, details: { retryAfter: 900 } });
  t.same(
    await flow.check({ purpose: 'v2-login', code: next, subject: '+79162222222', ip: '203.0.113.6' }, ctx),
    {
      subject: '+79162222222',
    },
  );
});

t.test('code-only guesses: limited per IP and for the purpose as a whole', async (t) => {
  const { flow, ctx, issue } = flowUnderTest({
    limits: { checkFailuresPerIp: 2, lookupFailuresPerPurpose: 5 },
  });
  const code = await issue(adminRegistration('alice', '101'));
  const guess = otherCode(code);
  for (let i = 0; i < 2; i++)
    await t.rejects(flow.check({ purpose: 'admin-registration', code: guess, ip: '10.0.0.1' }, ctx));
  await t.rejects(flow.check({ purpose: 'admin-registration', code, ip: '10.0.0.1' }, ctx), {
    code: 'code_attempts_limited',
  });
  for (let i = 0; i < 3; i++) {
    await t.rejects(flow.check({ purpose: 'admin-registration', code: guess, ip: `10.0.1.${i}` }, ctx), {
      code: 'code_invalid',
    });
  }
  await t.rejects(flow.check({ purpose: 'admin-registration', code, ip: '10.0.2.1' }, ctx), {
    code: 'code_attempts_limited',
  });
  await t.rejects(flow.check({ purpose: 'admin-registration', code }, ctx), {
    code: 'code_attempts_limited',
  });
  t.same(
    await flow.check({ purpose: 'admin-registration', code, subject: 'alice', ip: '10.0.2.1' }, ctx),
    {
      subject: 'alice',
    },
    'a check with the subject is not a code-only guess',
  );
});

t.test('two live admin-registration codes never collide: a taken code is drawn again', async (t) => {
  const real = createCodeService({ hmacKey: TEST_HMAC_KEY });
  const draws = ['111111', '111111', '111111', '222222'];
  const codes = { ...real, generate: () => draws.shift() ?? real.generate() };
  const { flow, ctx, issue } = flowUnderTest({ codes });
  t.equal(await issue(adminRegistration('alice', '101')), '111111');
  t.equal(await issue(adminRegistration('bob', '202')), '222222');
  t.same(await flow.check({ purpose: 'admin-registration', code: '111111' }, ctx), { subject: 'alice' });
  t.same(await flow.check({ purpose: 'admin-registration', code: '222222' }, ctx), { subject: 'bob' });

  // v2 codes are checked with their subject: the same digits for two subjects are fine.
  const same = { ...real, generate: () => '333333' };
  const v2 = flowUnderTest({ codes: same });
  await v2.issue(smsLogin('+79160000001'));
  await v2.issue(smsLogin('+79160000002'));
  t.equal(v2.publisher.sent.length, 2);

  const stuck = flowUnderTest({ codes: same });
  await stuck.issue(adminRegistration('alice', '101'));
  await t.rejects(stuck.flow.issue(adminRegistration('bob', '202'), stuck.ctx), { code: 'unavailable' });
});

t.test('Redis unreachable: nothing is issued or accepted (unavailable)', async (t) => {
  const { flow, ctx, store, publisher, issue } = flowUnderTest();
  const code = await issue(smsLogin(PHONE));
  store.failing = true;
  await t.rejects(flow.issue(smsLogin('+79160000000'), ctx), { code: 'unavailable', status: 503 });
  await t.rejects(flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx), { code: 'unavailable' });
  await t.rejects(flow.check({ purpose: 'v2-login', code, subject: PHONE, ip: '192.0.2.1' }, ctx), {
    code: 'unavailable',
  });
  t.equal(publisher.sent.length, 1, 'no message for a code that was not stored');
});

t.test('the code never reaches the log, nor the store in clear', async (t) => {
  const { flow, ctx, store, publisher, logLines, issue } = flowUnderTest();
  const code = await issue(smsLogin(PHONE));
  await flow
    .check({ purpose: 'v2-login', code: otherCode(code), subject: PHONE }, ctx)
    .catch(() => undefined);
  publisher.failing = true;
  await flow.issue(adminRegistration('alice', '101'), ctx).catch(() => undefined);
  await flow.check({ purpose: 'v2-login', code, subject: PHONE }, ctx);
  t.ok(logLines.length >= 3, 'the flow logs');
  for (const line of logLines) t.notMatch(line, code);
  t.notMatch(JSON.stringify(store.keys()), code);
  t.notMatch(codeKey({ purpose: 'v2-login', subjectId: 'x' }), PHONE);
});
