import type { FastifyRequest } from 'fastify';
import type { LoginFailure } from '../../http/failure.js';
import { FAILURE_STATUS } from '../../http/failure.js';
import { loginBodyProblems } from './body-problems.js';
import { drfBody, type DrfBody } from './presenter.js';

/** Document 004, "Статусы ответа" of login: "400 — Отсутствует логин или пароль". */
const MISSING_LOGIN_OR_PASSWORD = 'Отсутствует логин или пароль';

/**
 * Messages of document 004 where it has them (401 "Неверные учетные данные", 400 "Отсутствует
 * логин или пароль"); the others are ours, in the same language and shape. A body that has a
 * login and a password but is refused all the same (a number, 5 000 characters, an extra field)
 * is still the document's 400, saying what is wrong as DRF's serializers do (body-problems.ts).
 */
function message(failure: LoginFailure, req: FastifyRequest): string {
  switch (failure.kind) {
    case 'bad_input':
      return loginBodyProblems(req.body) ?? MISSING_LOGIN_OR_PASSWORD;
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

export function drfFailure(failure: LoginFailure, req: FastifyRequest): DrfBody {
  return drfBody(FAILURE_STATUS[failure.kind], message(failure, req));
}
