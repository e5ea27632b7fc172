import type { FastifyReply } from 'fastify';
import type { standardHttp } from '@propusk/contracts';

/** The RFC 6749 §5.2 error codes these endpoints answer (RFC 7662 §2.3, RFC 7009 §2.2.1). */
export type OAuthErrorCode = standardHttp.OAuthErrorCode;

export interface OAuthReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly error: OAuthErrorCode; readonly error_description: string };
}

function oauthError(
  status: number,
  error: OAuthErrorCode,
  description: string,
  headers: Record<string, string> = {},
): OAuthReply {
  return Object.freeze({ status, headers, body: Object.freeze({ error, error_description: description }) });
}

/**
 * RFC 6749 §5.2: a client that authenticated with the Authorization header (or should have)
 * gets 401 with a challenge of that scheme; the only HTTP scheme offered is Basic (RFC 7617).
 * The same answer serves a failed `client_secret_post`: it names no client either way.
 */
export const INVALID_CLIENT = oauthError(401, 'invalid_client', 'client authentication failed', {
  'www-authenticate': 'Basic realm="propusk"',
});

/**
 * Too many failed client authentications for this client id (from this address, or from all):
 * 429 (RFC 6585 §4) with Retry-After, in §5.2's shape with the code the gateway's own 429 on
 * these routes uses (RFC 6749 §4.1.2.1 `temporarily_unavailable`). It names no client and says
 * nothing about the credentials presented (oauth-clients/throttle.ts).
 */
export function tooManyFailures(retryAfterS: number): OAuthReply {
  return oauthError(429, 'temporarily_unavailable', 'too many failed client authentications; retry later', {
    'retry-after': String(retryAfterS),
  });
}

/** RFC 6749 §5.2 `invalid_request`: missing, repeated or unreadable parameters. */
export const OAUTH_REPLIES = Object.freeze({
  missingToken: oauthError(400, 'invalid_request', 'the token parameter is required'),
  // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
  repeated: oauthError(400, 'invalid_request', 'request parameters must not be repeated'),
  // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each
  // request"; §5.2 names such a request `invalid_request`.
  twoMethods: oauthError(
    400,
    'invalid_request',
    'authenticate the client with one method: HTTP Basic or client_id and client_secret in the body, not both',
  ),
  badBody: oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded'),
  tooLarge: oauthError(413, 'invalid_request', 'the request body is too large'),
  // RFC 7009 §2.2.1: 503 — the caller should assume the token still exists and retry later.
  unavailable: oauthError(503, 'temporarily_unavailable', 'the token state cannot be read now; retry later', {
    'retry-after': '1',
  }),
  internal: oauthError(500, 'server_error', 'internal error'),
});

/**
 * Every answer of these endpoints is about a live credential: never stored by a cache
 * (RFC 6749 §5.1 asks the same of token responses).
 */
export const NO_STORE = Object.freeze({ 'cache-control': 'no-store' });

export function sendOAuthError(reply: FastifyReply, r: OAuthReply): FastifyReply {
  return reply
    .code(r.status)
    .headers({ ...NO_STORE, ...r.headers })
    .send(r.body);
}
