import type { PasswordProblem } from '../../credentials/policy.js';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../credentials/policy.js';

/**
 * The v2 profile's words (document 003 is Russian): short, and saying what to do. Failures name
 * the field, so a client can show the message next to it.
 */
export const V2_TEXT = Object.freeze({
  registered: 'Регистрация прошла успешно',
  codeSent: 'Код отправлен',
  signedIn: 'Вход выполнен',
  verified: 'Контакт подтверждён',
  recoverySignedIn: 'Вход выполнен, задайте новый пароль',
  passwordChanged: 'Пароль изменён',

  notJsonObject: 'Тело запроса должно быть JSON-объектом',
  emailTaken: 'Учётная запись с этим адресом электронной почты уже зарегистрирована',
  phoneTaken: 'Учётная запись с этим номером телефона уже зарегистрирована',
  emailNotFound: 'Учётная запись с этим адресом электронной почты не найдена',
  phoneNotFound: 'Учётная запись с этим номером телефона не найдена',
  codeInvalid: 'Код недействителен: проверьте его или запросите новый',
  wrongPassword: 'Неверный пароль',
  unauthorized: 'Требуется авторизация: передайте токен в заголовке Authorization',
  recoveryNotGranted: 'Задать новый пароль можно только после входа по коду восстановления',
  tooLarge: 'Слишком большой запрос',
  badRequest: 'Некорректный запрос',
  unavailable: 'Сервис временно недоступен, повторите попытку позже',
  internal: 'Внутренняя ошибка сервера',
});

const seconds = (s: number) => `${s} с`;

export const V2_WAIT_TEXT = Object.freeze({
  codeAlreadySent: (s: number) => `Код уже отправлен, повторить можно через ${seconds(s)}`,
  codesLimited: (s: number) => `Слишком много запросов кода, повторите через ${seconds(s)}`,
  codeAttempts: (s: number) => `Слишком много неверных кодов, повторите через ${seconds(s)}`,
  signInAttempts: (s: number) => `Слишком много неудачных попыток входа, повторите через ${seconds(s)}`,
});

export const FIELD_TEXT = Object.freeze({
  missing: (field: string) => `Поле ${field} обязательно`,
  empty: (field: string) => `Поле ${field} не может быть пустым`,
  notString: (field: string) => `Поле ${field} должно быть строкой`,
  notStringOrNull: (field: string) => `Поле ${field} должно быть строкой или null`,
  tooLong: (field: string, max: number) => `Поле ${field} должно быть не длиннее ${max} символов`,
  badCharacters: (field: string) => `Поле ${field} содержит недопустимые символы`,
  notEmail: (field: string) => `Поле ${field} должно содержать адрес электронной почты`,
  notMobile: (field: string) =>
    `Поле ${field} должно содержать номер мобильного телефона российского оператора, например +79161234567`,
  notLogin: (field: string) =>
    `Поле ${field} должно содержать адрес электронной почты или номер мобильного телефона российского оператора`,
});

export const PASSWORD_TEXT: Readonly<Record<PasswordProblem, string>> = Object.freeze({
  too_short: `Пароль должен содержать не менее ${PASSWORD_MIN} символов`,
  too_long: `Пароль должен содержать не более ${PASSWORD_MAX} символов`,
  common: 'Пароль слишком распространён, выберите другой',
});
