// Reading providers' fields: phone numbers to E.164 the way identity reads them, e-mails.
import t from 'tap';
import { emailOf, phoneOf } from '../src/providers/fields.js';

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
