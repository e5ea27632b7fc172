import t from 'tap';
import nodemailer from 'nodemailer';
import { startSmtpSink } from '../src/smtp.js';

t.test('nodemailer delivers to the sink and the parsed message is recorded', async (t) => {
  const sink = await startSmtpSink();
  t.teardown(() => sink.close());
  t.match(sink.url, /^smtp:\/\/127\.0\.0\.1:\d+$/);
  const transport = nodemailer.createTransport(sink.url);
  t.teardown(() => transport.close());

  const waiting = sink.waitForMessage((m) => m.to.includes('user@example.test'), 2000);
  await transport.sendMail({
    from: 'Propusk <no-reply@propusk.test>',
    to: 'user@example.test',
    subject: 'Код подтверждения',
    text: 'Ваш код: 123456',
    html: '<p>Ваш код: <b>123456</b></p>',
  });
  const mail = await waiting;
  t.equal(mail.envelopeFrom, 'no-reply@propusk.test');
  t.same(mail.envelopeTo, ['user@example.test']);
  t.equal(mail.from, 'no-reply@propusk.test');
  t.equal(mail.fromName, 'Propusk');
  t.same(mail.to, ['user@example.test']);
  t.equal(mail.subject, 'Код подтверждения', 'encoded-word subject is decoded');
  t.equal(mail.text.trim(), 'Ваш код: 123456');
  t.match(mail.html, /<b>123456<\/b>/);
  t.match(mail.raw, /^Content-Type: multipart\/alternative/m);
  t.equal(mail.authUser, undefined, 'no AUTH was used');
});

t.test('AUTH is optional but accepted with any credentials', async (t) => {
  const sink = await startSmtpSink();
  t.teardown(() => sink.close());
  const url = new URL(sink.url);
  const transport = nodemailer.createTransport(`smtp://mailer:anything@${url.host}`);
  t.teardown(() => transport.close());
  await transport.sendMail({ from: 'a@propusk.test', to: 'b@example.test', subject: 's', text: 't' });
  t.equal(sink.messages[0]?.authUser, 'mailer');
});

t.test('failNext makes DATA fail with the chosen SMTP code, then recovers', async (t) => {
  const sink = await startSmtpSink();
  t.teardown(() => sink.close());
  const transport = nodemailer.createTransport(sink.url);
  t.teardown(() => transport.close());
  const mail = { from: 'a@propusk.test', to: 'b@example.test', subject: 's', text: 't' };

  sink.failNext(1);
  sink.failNext(1, { code: 550, message: '5.1.1 Mailbox unavailable' });
  const refusal = () =>
    transport.sendMail(mail).then(
      () => undefined,
      (err: unknown) => err,
    );
  t.match(await refusal(), { responseCode: 451, response: /^451 4\.3\.0/ });
  t.match(await refusal(), { responseCode: 550, response: /Mailbox unavailable/ });
  t.equal(sink.messages.length, 0);
  await transport.sendMail(mail);
  t.equal(sink.messages.length, 1);
  await t.rejects(
    sink.waitForMessage((m) => m.subject === 'never', 50),
    /no matching e-mail/,
  );
});
