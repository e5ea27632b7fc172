// verification.issue and verification.check over real NATS, answered by the real process:
// the message lands on the JetStream stream with its code, checks by subject and by code alone,
// and every refusal arrives as a typed PropuskError.
import t from 'tap';
import { verificationOps } from '@propusk/contracts';
import { codeOf } from './fixtures/fakes.js';
import { bootVerification } from './fixtures/verification.js';

const svc = await bootVerification({
  env: {
    CODE_HMAC_KEY: 'rpc-test-code-hmac-key-0123456789abcdef',
    CODE_CHECK_FAILURES_PER_IP: '3',
    CODE_SENDS_PER_DESTINATION_PER_HOUR: '2',
  },
});
t.teardown(svc.close);
const { client } = svc;
const PHONE = '+79161234567';

t.test('issue queues the SMS on the stream; the code checks once with its subject', async (t) => {
  const answer = await client.call(
    verificationOps.issue,
    { purpose: 'v2-login', subject: PHONE, channel: 'sms', to: PHONE, ip: '192.0.2.10' },
    { requestId: 'rpc-test-1' },
  );
  t.same(answer, { expiresIn: 600, resendAfter: 60 });
  const message = await svc.next();
  t.match(message, { channel: 'sms', to: PHONE, kind: 'v2-login', requestId: 'rpc-test-1' });
  t.match(message?.text, /^Код для входа: \d{6}\. Никому не сообщайте его\.$/);
  const code = codeOf(message);
  t.same(await client.call(verificationOps.check, { purpose: 'v2-login', code, subject: PHONE }), {
    subject: PHONE,
  });
  await t.rejects(client.call(verificationOps.check, { purpose: 'v2-login', code, subject: PHONE }), {
    name: 'PropuskError',
    code: 'code_invalid',
    status: 400,
  });
});

t.test('admin-registration: a Telegram DM, checked by the code alone', async (t) => {
  t.same(
    await client.call(verificationOps.issue, {
      purpose: 'admin-registration',
      subject: 'i0hukc',
      channel: 'telegram',
      to: '3546223',
    }),
    { expiresIn: 1800, resendAfter: 60 },
  );
  const message = await svc.next();
  t.match(message, { channel: 'telegram', to: '3546223', kind: 'admin-registration' });
  t.match(message?.text, /Код подтверждения: \d{6}\. Код действует 30 минут\./);
  t.same(await client.call(verificationOps.check, { purpose: 'admin-registration', code: codeOf(message) }), {
    subject: 'i0hukc',
  });
});

t.test('a resend inside the cooldown: code_resend_too_soon with retryAfter, nothing queued', async (t) => {
  const req = {
    purpose: 'v2-recovery',
    subject: 'a@example.org',
    channel: 'email',
    to: 'a@example.org',
  } as const;
  await client.call(verificationOps.issue, req);
  t.match(await svc.next(), { channel: 'email', subject: 'Восстановление пароля' });
  const err = await client.call(verificationOps.issue, req).catch((e: unknown) => e);
  t.match(err, { name: 'PropuskError', code: 'code_resend_too_soon', status: 429 });
  const retryAfter = (err as { details: { retryAfter: number } }).details.retryAfter;
  t.ok(retryAfter >= 55 && retryAfter <= 60, `retryAfter ${retryAfter}`);
  t.equal(await svc.next(), undefined);
});

t.test('sends per destination: code_send_limited with retryAfter', async (t) => {
  const to = 'shared@example.org';
  for (const subject of ['one@example.org', 'two@example.org']) {
    await client.call(verificationOps.issue, { purpose: 'v2-verification', subject, channel: 'email', to });
    t.ok(await svc.next());
  }
  await t.rejects(
    client.call(verificationOps.issue, {
      purpose: 'v2-verification',
      subject: 'three@example.org',
      channel: 'email',
      to,
    }),
    { name: 'PropuskError', code: 'code_send_limited', status: 429, details: { retryAfter: 3600 } },
  );
});

t.test('wrong codes from one IP: code_attempts_limited with retryAfter', async (t) => {
  const ip = '198.51.100.20';
  for (let i = 0; i < 3; i++) {
    await t.rejects(
      client.call(verificationOps.check, { purpose: 'admin-registration', code: '000000', ip }),
      {
        code: 'code_invalid',
      },
    );
  }
  await t.rejects(client.call(verificationOps.check, { purpose: 'admin-registration', code: '000000', ip }), {
    name: 'PropuskError',
    code: 'code_attempts_limited',
    status: 429,
    details: { retryAfter: 900 },
  });
});

t.test('requests outside the contract are refused', async (t) => {
  await t.rejects(client.call(verificationOps.check, { purpose: 'v2-login', code: '123456' }), {
    code: 'invalid_request',
    status: 400,
  });
  await t.rejects(
    client.call(verificationOps.check, { purpose: 'v2-login', code: '12345', subject: PHONE }),
    {
      code: 'invalid_request',
    },
  );
});

t.test('Redis holds no code in clear and no subject in key names', async (t) => {
  await client.call(verificationOps.issue, {
    purpose: 'v2-login',
    subject: '+79169998877',
    channel: 'sms',
    to: '+79169998877',
  });
  const code = codeOf(await svc.next());
  const keys = (await svc.keys()).join('\n');
  t.notMatch(keys, '79169998877');
  t.notMatch(keys, code);
});
