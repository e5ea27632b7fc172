import { checker, standardHttp } from '@propusk/contracts';
import { OAUTH_REPLIES, type OAuthReply } from './replies.js';

/** The form both endpoints take: contracts' standardHttp.TokenForm. */
export const TOKEN_FORM = standardHttp.TokenForm;

export type TokenParams = { ok: true; token: string } | { ok: false; reply: OAuthReply };

/**
 * The form of RFC 7662 §2.1 and RFC 7009 §2.1: `token` (REQUIRED) and `token_type_hint`
 * (OPTIONAL). The hint is accepted and not needed: every token's kind shows in its shape
 * (introspection/token-kind.ts), so a wrong hint changes nothing (RFC 7009 §2.1 lets the
 * server extend its search; RFC 7662 §2.1 lets it ignore the hint). Other parameters are
 * ignored; any parameter given twice is refused (RFC 6749 §3.2).
 */
export function tokenParams(body: unknown): TokenParams {
  if (typeof body !== 'object' || body === null) return { ok: false, reply: OAUTH_REPLIES.missingToken };
  const params = body as Record<string, unknown>;
  if (hasRepeats(params)) return { ok: false, reply: OAUTH_REPLIES.repeated };
  if (!checker(TOKEN_FORM).Check(params)) return { ok: false, reply: OAUTH_REPLIES.missingToken };
  return { ok: true, token: params.token };
}

/** RFC 6749 §3.2: a parameter given twice (the form parser makes it an array) is refused. */
export function hasRepeats(body: unknown): boolean {
  return typeof body === 'object' && body !== null && Object.values(body).some(Array.isArray);
}
