import { normaliseEmail, normaliseRussianMobile } from '../accounts/contacts.js';

/**
 * Logins of document 003: an e-mail address or a Russian mobile number ("Номер телефона
 * мобильной связи операторов РФ"). Both are normalised to the form accounts store them in, so
 * lookups, uniqueness and the codes bound to a login agree: e-mail lower-cased, phones E.164
 * (accounts/contacts.ts: `8 9XX…`, `7 9XX…`, `+7 9XX…`; fixed lines, Kazakhstan's +7 numbers
 * and extensions refused).
 */
export type LoginKind = 'email' | 'phone';

export interface Login {
  kind: LoginKind;
  /** The normalised login: lower-cased e-mail, or e.g. `+79161234567`. */
  value: string;
}

/**
 * A login field (`login` of verification, passwordRecovery and code): an e-mail when it holds
 * an `@`, otherwise a phone.
 */
export function parseLogin(input: string): Login | undefined {
  if (input.includes('@')) {
    const email = normaliseEmail(input);
    return email === undefined ? undefined : { kind: 'email', value: email };
  }
  const phone = normaliseRussianMobile(input);
  return phone === undefined ? undefined : { kind: 'phone', value: phone };
}
