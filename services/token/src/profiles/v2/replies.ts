import type { v2Http } from '@propusk/contracts';

/**
 * Document 003's failure shape: HTTP status and numeric code travel together (DESIGN: `422:7`
 * is HTTP 422 with `{"code": 7, "message": "..."}`). Signout documents only `204`; its other
 * answers carry their HTTP status as the code. Messages are Russian, as the document is.
 */
export interface V2Reply {
  status: number;
  body: v2Http.Failure;
}

export const V2_MESSAGES = Object.freeze({
  unauthorized: 'Токен авторизации отсутствует, недействителен или уже отозван',
  badRequest: 'Некорректный запрос',
  tooLarge: 'Слишком большой запрос',
  unavailable: 'Сервис временно недоступен, повторите попытку позже',
  internal: 'Внутренняя ошибка сервера',
});

export function v2Reply(status: number, message: string): V2Reply {
  return { status, body: { code: status, message } };
}
