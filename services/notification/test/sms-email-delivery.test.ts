// SMS through twilio-node and e-mail through Nodemailer, against the Twilio stand-in and the
// SMTP sink: transient provider failures are retried into exactly one message, permanent ones
// are dead-lettered.
import t from 'tap';
import { eventually } from '@propusk/testkit';
import { letterOf, MAIL_FROM, startHarness } from './fixtures/notification.js';

const h = await startHarness();
t.teardown(() => h.close());
const { twilio, smtp } = h;

t.test('Twilio 500, then 201: exactly one SMS', async (t) => {
  twilio.failNext(1, 500);
  await h.publisher.publish({ channel: 'sms', to: '+79001112233', text: 'Код: 123456', kind: 'login' });
  const sms = await twilio.waitForMessage((m) => m.to === '+79001112233', 10_000);
  t.match(sms, { from: twilio.from, body: 'Код: 123456', accountSid: twilio.accountSid });
  await eventually(async () => (await h.notifyStreamDepth()) === 0, 10_000);
  t.equal(twilio.messages.filter((m) => m.to === '+79001112233').length, 1);
  t.equal(
    twilio.requests.filter((r) => r.params.To === '+79001112233').length,
    2,
    'the failed request and the retry',
  );
});

t.test('Twilio 21211 (invalid To) is dead-lettered without retrying', async (t) => {
  const id = await h.publisher.publish({ channel: 'sms', to: '89991234567', text: 'x', kind: 'login' });
  await eventually(
    async () => (await h.deadLetters('sms')).some((l) => letterOf(l).notification.id === id),
    10_000,
  );
  const letter = (await h.deadLetters('sms')).map(letterOf).find((l) => l.notification.id === id);
  t.match(letter, { deliveries: 1, reason: /permanent failure: twilio 400 \(21211\)/ });
  t.equal(twilio.requests.filter((r) => r.params.To === '89991234567').length, 1, 'asked once');
});

t.test('one e-mail with the subject, text and sender', async (t) => {
  const id = await h.publisher.publish({
    channel: 'email',
    to: 'user@example.org',
    subject: 'Код подтверждения',
    text: 'Ваш код: 654321',
    kind: 'verification',
  });
  const mail = await smtp.waitForMessage((m) => m.envelopeTo.includes('user@example.org'), 10_000);
  t.equal(mail.subject, 'Код подтверждения');
  t.equal(mail.text.trim(), 'Ваш код: 654321');
  t.equal(mail.from, 'no-reply@propusk.test');
  t.equal(mail.fromName, MAIL_FROM.split(' <')[0]);
  t.same(mail.to, ['user@example.org']);
  t.equal(mail.messageId, `<${id}@propusk>`);
  await eventually(async () => (await h.notifyStreamDepth()) === 0, 10_000);
  t.equal(smtp.messages.filter((m) => m.envelopeTo.includes('user@example.org')).length, 1);
});

t.test('SMTP 451, then accepted: exactly one e-mail', async (t) => {
  smtp.failNext(1, { code: 451 });
  await h.publisher.publish({
    channel: 'email',
    to: 'again@example.org',
    text: 'retry me',
    kind: 'verification',
  });
  const mail = await smtp.waitForMessage((m) => m.envelopeTo.includes('again@example.org'), 10_000);
  t.equal(mail.subject, 'Propusk', 'the default subject');
  await eventually(async () => (await h.notifyStreamDepth()) === 0, 10_000);
  t.equal(smtp.messages.filter((m) => m.envelopeTo.includes('again@example.org')).length, 1);
});

t.test('SMTP 550 is dead-lettered', async (t) => {
  smtp.failNext(1, { code: 550 });
  const id = await h.publisher.publish({
    channel: 'email',
    to: 'gone@example.org',
    text: 'x',
    kind: 'verification',
  });
  await eventually(
    async () => (await h.deadLetters('email')).some((l) => letterOf(l).notification.id === id),
    10_000,
  );
  const letter = (await h.deadLetters('email')).map(letterOf).find((l) => l.notification.id === id);
  t.match(letter, { deliveries: 1, reason: /permanent failure: smtp 550/ });
  t.equal(smtp.messages.filter((m) => m.envelopeTo.includes('gone@example.org')).length, 0);
});
