// The one form e-mail and phone are kept in (accounts/contacts.ts): what registration,
// phone login and federated sign-in accept, and what they refuse.
import t from 'tap';
import { normaliseEmail, normaliseRussianMobile } from '../src/accounts/contacts.js';

t.test('Russian mobile numbers in every spelling DESIGN lists become E.164 (+79…)', async (t) => {
  for (const spelling of [
    '+79001234567',
    '+7 900 123-45-67',
    '+7 (900) 123-45-67',
    '8 900 123 45 67',
    '89001234567',
    '8-900-123-45-67',
    '7 900 123 45 67',
    '79001234567',
    ' 9001234567 ',
  ]) {
    t.equal(normaliseRussianMobile(spelling), '+79001234567', JSON.stringify(spelling));
  }
});

t.test('anything but a Russian mobile number is refused', async (t) => {
  for (const [text, why] of [
    ['+7 495 123-45-67', 'a Moscow landline'],
    ['8 800 555-35-35', 'a toll-free number'],
    ['+7 701 123 4567', 'Kazakhstan shares +7'],
    ['+44 7911 123456', 'another country'],
    ['+7900123456', 'a digit short'],
    ['+790012345678', 'a digit too many'],
    ['+79001234567 ext 5', 'an extension'],
    ['call +79001234567', 'text around the number'],
    ['７９００１２３４５６７', 'full-width digits'],
    ['', 'empty'],
    ['abcdefghijk', 'letters'],
  ]) {
    t.equal(normaliseRussianMobile(text!), undefined, why!);
  }
});

t.test('e-mail addresses are trimmed and lower-cased; non-addresses refused', async (t) => {
  t.equal(normaliseEmail('  Andrej.Medvedev_27@GMail.com '), 'andrej.medvedev_27@gmail.com');
  t.equal(normaliseEmail('user+tag@sub.example.org'), 'user+tag@sub.example.org');
  t.equal(normaliseEmail('Иван@Пример.рф'), 'иван@пример.рф', 'internationalised');
  for (const [text, why] of [
    ['plainaddress', 'no @'],
    ['a@b', 'no dot in the domain'],
    ['a b@example.org', 'a space'],
    ['a@@example.org', 'two @'],
    ['a@example.c', 'a one-letter top-level domain'],
    ['a@-example.org', 'a label starting with a hyphen'],
    [`${'x'.repeat(65)}@example.org`, 'a local part over 64'],
    [`a@${'x'.repeat(250)}.org`, 'over 254 characters'],
    ['', 'empty'],
  ]) {
    t.equal(normaliseEmail(text!), undefined, why!);
  }
});
