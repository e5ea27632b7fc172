import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPropuskError } from '@propusk/contracts';
import { OAUTH_REPLIES, sendOAuthError, type OAuthReply } from './replies.js';

/** Fastify's code for a body larger than the limit (fastify/lib/errors.js). */
const TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE';

/**
 * Every error of the standard endpoints in RFC 6749 §5.2's shape, never Fastify's default body:
 * a body Fastify refused (another media type, unreadable) is `invalid_request`; Redis or NATS
 * down is 503 `temporarily_unavailable` (RFC 7009 §2.2.1; introspection fails closed the same
 * way: a token whose state cannot be read is never reported either way); anything else 500.
 */
export function oauthErrorHandler() {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    let r: OAuthReply;
    if (isPropuskError(err) && err.status >= 500) {
      req.log.warn({ code: err.code }, 'oauth request failed: dependency unavailable');
      r = OAUTH_REPLIES.unavailable;
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      r = err.code === TOO_LARGE ? OAUTH_REPLIES.tooLarge : OAUTH_REPLIES.badBody;
    } else {
      req.log.error({ err }, 'oauth request failed');
      r = OAUTH_REPLIES.internal;
    }
    return sendOAuthError(reply, r);
  };
}
