/**
 * Document 004's response shape, `{"result": {"status", "message"}, "data": {...}}`, with its
 * messages verbatim (DESIGN: "messages exactly as in the document (Russian)").
 */
export interface DrfReply {
  status: number;
  body: { result: { status: number; message: string }; data: Record<string, unknown> };
}

export function drfReply(status: number, message: string, data: Record<string, unknown> = {}): DrfReply {
  return { status, body: { result: { status, message }, data } };
}

export const DRF_MESSAGES = Object.freeze({
  loggedOut: 'Выход выполнен успешно',
  tokenValid: 'Токен валиден и принадлежит пользователю',
  noUsername: 'Не передано имя пользователя',
  usernameMismatch: 'Имя пользователя не соответствует токену',
  notAuthenticated: 'Учетные данные не были предоставлены.',
  // Not in the document: Django REST framework's own Russian texts for these cases.
  tooLarge: 'Слишком большой запрос.',
  unsupportedMediaType: 'Неподдерживаемый тип данных в запросе.',
  malformed: 'Некорректный запрос.',
  unavailable: 'Сервис временно недоступен, попробуйте позже.',
  internal: 'Внутренняя ошибка сервера.',
});
