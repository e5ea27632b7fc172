// Reading providers' fields: phone numbers to E.164 the way identity reads them, e-mails.
import t from 'tap';
import { emailOf, phoneOf, providerEmail } from '../src/providers/fields.js';

t.test('phones: E.164 from what providers send; the Russian trunk prefix 8 becomes +7', async (t) => {
  const cases: Array<[unknown, string | undefined]> = [
    ['79991234567', '+79991234567'],
    ['+79991234567', '+79991234567'],
    ['+7 (999) 123-45-67', '+79991234567'],
    ['8 (999) 123-45-67', '+79991234567'],
    ['89991234567', '+79991234567'],
    ['+8 999 123 45 67', '+89991234567'],
    ['+44 20 7946 0958', '+442079460958'],
    [79991234567, '+79991234567'],
    ['12', undefined],
    ['+0123456789', undefined],
    ['call me', undefined],
    ['', undefined],
    [null, undefined],
  ];
  for (const [given, expected] of cases) t.equal(phoneOf(given), expected, JSON.stringify(given));
});

t.test('e-mails: a plausible address or nothing', async (t) => {
  t.equal(emailOf(' anna@vk.test '), 'anna@vk.test');
  t.equal(emailOf('not an email'), undefined);
  t.equal(emailOf(''), undefined);
});

t.test('providerEmail: verified only on a domain the provider hosts, exactly, in any case', async (t) => {
  const hosted = new Set(['mail.ru', 'bk.ru']);
  t.same(providerEmail('Olga@Mail.RU', hosted), { email: 'Olga@Mail.RU', emailVerified: true });
  t.same(providerEmail('olga@bk.ru', hosted), { email: 'olga@bk.ru', emailVerified: true });
  t.same(providerEmail('victim-123@example.org', hosted), {
    email: 'victim-123@example.org',
    emailVerified: false,
  });
  // A subdomain or a look-alike is another server's mailbox.
  t.same(providerEmail('olga@corp.mail.ru', hosted), { email: 'olga@corp.mail.ru', emailVerified: false });
  t.same(providerEmail('olga@mail.ru.evil.test', hosted), {
    email: 'olga@mail.ru.evil.test',
    emailVerified: false,
  });
  t.same(providerEmail('mail.ru@example.org', hosted), {
    email: 'mail.ru@example.org',
    emailVerified: false,
  });
  t.same(providerEmail('not an email', hosted), {}, 'no address: no word either');
  t.same(providerEmail(undefined, hosted), {});
  t.same(providerEmail('olga@mail.ru', new Set()), { email: 'olga@mail.ru', emailVerified: false });
});
