import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * An account's e-mail and phone in the one form they are stored and looked up in, whoever
 * supplies them (a client, a provider's user info): e-mail lower-cased (the unique index then
 * makes e-mail unique regardless of case; schema.prisma), phone in E.164.
 */

/** RFC 5321 §4.5.3.1: 64 octets of local part, 254 of path in practice (RFC 3696 errata 1690). */
export const EMAIL_MAX = 254;
const LOCAL_MAX = 64;
/**
 * One `@`, no spaces or controls, a dotted domain of letters, digits and hyphens (IDN as Unicode
 * letters): the same rule as document 003's registration (v2/logins.ts), so an address one
 * profile registers the other accepts.
 */
const EMAIL = /^[^\s@\p{Cc}]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

/** The e-mail address lower-cased, or undefined when it is not one. */
export function normaliseEmail(input: string): string | undefined {
  const email = input.trim();
  if (email.length > EMAIL_MAX || !EMAIL.test(email)) return undefined;
  if (email.slice(0, email.lastIndexOf('@')).length > LOCAL_MAX) return undefined;
  return email.toLowerCase();
}

/** Digits, `+` and the separators people write numbers with; nothing else (no text around it). */
const PHONE_CHARACTERS = /^\+?[\d\s().-]{10,24}$/;

/**
 * A Russian mobile number in E.164 (e.g. `+79161234567`), or undefined when the text is not one
 * (DESIGN, 003: `8 9XX…`, `7 9XX…` and `+7 9XX…` are accepted). libphonenumber-js's full
 * metadata tells mobile ranges from landlines and from Kazakhstan's numbers, which share +7.
 * Only the number itself is taken: libphonenumber-js would also find one inside other text.
 */
export function normaliseRussianMobile(phone: string): string | undefined {
  const trimmed = phone.trim();
  if (!PHONE_CHARACTERS.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, 'RU');
  if (!parsed || parsed.country !== 'RU' || parsed.ext !== undefined) return undefined;
  return parsed.isValid() && parsed.getType() === 'MOBILE' ? parsed.number : undefined;
}
