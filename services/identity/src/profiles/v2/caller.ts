import type { IncomingHttpHeaders } from 'node:http';
import { IDENTITY_HEADERS, PropuskError, decodeIdentityHeader, tokenId } from '@propusk/contracts';

/**
 * The signed-in account of a request, as the gateway verified it (contracts: IDENTITY_HEADERS;
 * clients' own copies are stripped there, so these are trusted). Only a v2 token counts, and the
 * token id must name the token sent beside it, as the token service's reader checks
 * (services/token/src/profiles/identity-headers.ts).
 */
export interface V2Caller {
  accountId: string;
  /** `tokenId(token)`: names the token in recovery grants and in session revocation. */
  tokenId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function v2Caller(headers: IncomingHttpHeaders): V2Caller | undefined {
  const accountId = decodeIdentityHeader(single(headers, IDENTITY_HEADERS.subject));
  const profile = single(headers, IDENTITY_HEADERS.profile);
  const id = single(headers, IDENTITY_HEADERS.tokenId);
  const token = single(headers, IDENTITY_HEADERS.token);
  if (!accountId || !UUID.test(accountId) || profile !== 'v2' || !id || !token) return undefined;
  return tokenId(token) === id ? { accountId, tokenId: id } : undefined;
}

/** The caller, or `invalid_token` (401): no verified v2 token came with the request. */
export function requireV2Caller(headers: IncomingHttpHeaders): V2Caller {
  const caller = v2Caller(headers);
  if (!caller) throw new PropuskError('invalid_token', 'no verified v2 token on the request');
  return caller;
}
