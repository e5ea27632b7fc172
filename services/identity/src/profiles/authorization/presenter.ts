import type { authorizationHttp } from '@propusk/contracts';
import type { AuthorizationPair } from './flow.js';

/**
 * Document 002's answers: `{access, refresh}` for registration and both logins, and (DESIGN,
 * 002) `{"detail": "..."}` for every failure, the shape federation's routes of the same profile
 * answer too.
 */
export type DetailBody = authorizationHttp.Detail;

export function detailBody(message: string): DetailBody {
  return { detail: message };
}

/** Exactly the two fields of the document's example, whatever else the token service adds. */
export function authorizationBody(pair: AuthorizationPair): authorizationHttp.TokenPair {
  return { access: pair.access, refresh: pair.refresh };
}
