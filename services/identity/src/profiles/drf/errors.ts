import type { LoginFailure } from '../../http/failure.js';
import { FAILURE_STATUS } from '../../http/failure.js';
import { drfBody, type DrfBody } from './presenter.js';

/**
 * Messages of document 004 where it has them (401 "Неверные учетные данные", 400 "Отсутствует
 * логин или пароль"); the others are ours, in the same language and shape.
 */
function message(failure: LoginFailure): string {
  switch (failure.kind) {
    case 'bad_input':
      return 'Отсутствует логин или пароль';
    case 'malformed_json':
      return 'Некорректный JSON в теле запроса';
    case 'too_large':
      return 'Слишком большой запрос';
    case 'unsupported_media_type':
      return 'Неподдерживаемый тип содержимого';
    case 'invalid_credentials':
      return 'Неверные учетные данные';
    case 'throttled':
      return `Слишком много неудачных попыток входа. Повторите попытку через ${failure.retryAfterS} сек.`;
    case 'unavailable':
      return 'Сервис временно недоступен, повторите попытку позже';
    case 'internal':
      return 'Внутренняя ошибка сервера';
  }
}

export function drfFailure(failure: LoginFailure): DrfBody {
  return drfBody(FAILURE_STATUS[failure.kind], message(failure));
}
