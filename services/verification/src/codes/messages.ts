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

/** The request a code answers: when it was made and from which client address. */
export interface CodeRequestFacts {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly ip?: string | undefined;
}

/** A moment as the message says it, in UTC to the second: "2026-12-05 08:30:12 UTC". */
export function utcPhrase(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * The message of each purpose. Document 000's code goes by Telegram DM and says how long it
 * lives (30 minutes); it also says that a password was chosen, when and from which address, so
 * the chat's owner can tell his own request from a stranger's who typed his username (issue 15),
 * and to ignore it if it was not him. Document 003's codes go by SMS or e-mail; their texts stay
 * within one Cyrillic SMS segment (70 UCS-2 characters), so they do not repeat the lifetime.
 */
export function codeMessage(
  purpose: CodePurpose,
  code: string,
  ttlS: number,
  request: CodeRequestFacts,
): CodeMessage {
  switch (purpose) {
    case 'admin-registration':
      return {
        text:
          `Для регистрации в админке выбран пароль: запрос ${utcPhrase(request.at)} ` +
          `${request.ip ? `с адреса ${request.ip}` : 'с неизвестного адреса'}. ` +
          `Код подтверждения: ${code}. Код действует ${lifetimePhrase(ttlS)}. ` +
          'Если это были не вы, проигнорируйте это сообщение и не вводите код.',
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
