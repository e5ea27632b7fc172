import { createHash } from 'node:crypto';

/**
 * Redis keys shared between services (the key prefix for the namespace is added by the
 * client, see kit's connectRedis). Built here so writer and reader cannot drift apart.
 */

/**
 * The id of any token: base64url(sha256(token)). Tokens are never stored or logged in the
 * clear; this id names them in revocation records, events and logs.
 */
export function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Revocation record of one token, kept until the token would have expired. */
export function revokedKey(id: string): string {
  return `revoked:${id}`;
}

/**
 * The development outbox (DESIGN: "With no channel credentials in development, messages go to
 * the log and to a dev outbox that the CLI can show"): one capped Redis list, newest first, of
 * JSON entries `{id, channel, to, subject?, text, kind, at}`. Written by the notification
 * service, read by `authctl outbox show`.
 */
export function devOutboxKey(): string {
  return 'notify:dev-outbox';
}
