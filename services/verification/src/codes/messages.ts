import type { CodePurpose } from '@propusk/contracts';

/** One code's message: the text every channel sends, and the subject line of an e-mail. */
export interface CodeMessage {
  readonly text: string;
  readonly subject: string;
}

/**
 * Russian plural of a count (one / few / many): 1 минуту, 2 минуты, 5 минут, 21 минуту, 11 минут.
 * https://unicode.org/cldr/charts/latest/supplemental/language_plural_rules.html#ru
 */
export function russianPlural(n: number, forms: readonly [one: string, few: string, many: string]): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return forms[0];
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return forms[1];
  return forms[2];
}

/** A lifetime as the message says it: "30 минут"; in seconds when it is not whole minutes. */
export function lifetimePhrase(ttlS: number): string {
  if (ttlS % 60 === 0) {
    const minutes = ttlS / 60;
    return `${minutes} ${russianPlural(minutes, ['минуту', 'минуты', 'минут'])}`;
  }
  return `${ttlS} ${russianPlural(ttlS, ['секунду', 'секунды', 'секунд'])}`;
}

/**
 * The message of each purpose. Document 000's code goes by Telegram DM and says how long it
 * lives (30 minutes). Document 003's codes go by SMS or e-mail; their texts stay within one
 * Cyrillic SMS segment (70 UCS-2 characters), so they do not repeat the lifetime.
 */
export function codeMessage(purpose: CodePurpose, code: string, ttlS: number): CodeMessage {
  switch (purpose) {
    case 'admin-registration':
      return {
        text:
          `Код подтверждения регистрации в админке: ${code}. Код действует ${lifetimePhrase(ttlS)}. ` +
          'Если вы его не запрашивали, ничего не делайте.',
        subject: 'Регистрация в админке',
      };
    case 'v2-verification':
      return { text: `Код подтверждения: ${code}. Никому не сообщайте его.`, subject: 'Код подтверждения' };
    case 'v2-login':
      return { text: `Код для входа: ${code}. Никому не сообщайте его.`, subject: 'Код для входа' };
    case 'v2-recovery':
      return {
        text: `Код восстановления пароля: ${code}. Никому не сообщайте его.`,
        subject: 'Восстановление пароля',
      };
  }
}
