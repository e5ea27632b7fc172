import type { AccountView } from '@propusk/contracts';

/**
 * Document 001 ("Authentication"): answers are `{"data": {...}}`, failures add
 * `"errors": [{"code", "message"}]` and echo the given username in `data`.
 */
export interface EnvelopeBody {
  data: Record<string, unknown>;
  errors?: { code: number; message: string }[];
}

/** The document's only login error code: 3001 "bad credentials" (DESIGN, 001). */
export const BAD_CREDENTIALS = 3001;

export function envelopeToken(token: string): EnvelopeBody {
  return { data: { token } };
}

export function envelopeError(username: string | undefined, message: string): EnvelopeBody {
  return {
    data: username === undefined ? {} : { username },
    errors: [{ code: BAD_CREDENTIALS, message }],
  };
}

/** DESIGN, 001: `/admin/` is for accounts with the admin or superuser role. */
export function isEnvelopeAdmin(roles: AccountView['roles']): boolean {
  return roles.includes('admin') || roles.includes('superuser');
}
