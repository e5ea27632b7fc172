import type { AccountView } from '@propusk/contracts';

/**
 * Document 004 ("API Авторизации"): every answer is `{result: {status, message}, data}` with
 * the HTTP status repeated in `result.status` and the messages in Russian, as the document
 * spells them.
 */
export interface DrfBody {
  result: { status: number; message: string };
  data: Record<string, unknown>;
}

export function drfBody(status: number, message: string, data: Record<string, unknown> = {}): DrfBody {
  return { result: { status, message }, data };
}

/** DESIGN: drf `role` is superuser, staff or no_role; an admin counts as staff. */
export type DrfRole = 'superuser' | 'staff' | 'no_role';

export function drfRole(roles: AccountView['roles']): DrfRole {
  if (roles.includes('superuser')) return 'superuser';
  if (roles.includes('staff') || roles.includes('admin')) return 'staff';
  return 'no_role';
}

/** "Пример успешного ответа" of the login section. */
export function drfLoginSucceeded(token: string, username: string, role: DrfRole): DrfBody {
  return drfBody(200, 'Авторизация прошла успешно', { token, username, role });
}
