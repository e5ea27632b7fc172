import { isPropuskError, tokenId, type IntrospectionResult, type Profile } from '@propusk/contracts';
import { invalidToken, unavailable } from './errors.js';
import type { VerifiedToken } from './identity.js';

/**
 * Tokens the gateway cannot check locally — opaque ones (document 004: 40 hex characters, stored
 * hashed by the token service) and HS256 JWTs whose secret only the token service holds
 * (document 000) — are checked by RFC 7662 introspection over NATS (`tokenOps.introspect`).
 * Anything not active, active for another profile, or not an access token, is an invalid token;
 * a failed call is `unavailable` (fail closed).
 */
export type Introspect = (token: string) => Promise<IntrospectionResult>;

export interface OpaqueVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

export interface OpaqueVerifierOptions {
  profile: Profile;
  /** The token's own syntax: anything else is refused without a call. */
  format: RegExp;
  introspect: Introspect;
}

/** Codes meaning "the token is bad", not "the check could not run". */
const TOKEN_FAULTS = new Set(['invalid_request', 'invalid_token']);

export function createOpaqueVerifier({ profile, format, introspect }: OpaqueVerifierOptions): OpaqueVerifier {
  return {
    async verify(token) {
      if (!format.test(token)) throw invalidToken(`not a ${profile} token`);
      let result: IntrospectionResult;
      try {
        result = await introspect(token);
      } catch (err) {
        if (isPropuskError(err) && TOKEN_FAULTS.has(err.code)) throw invalidToken(`introspect: ${err.code}`);
        const detail = isPropuskError(err) ? `${err.code}: ${err.message}` : (err as Error).message;
        throw unavailable(`introspection failed (${detail})`);
      }
      if (!result.active) throw invalidToken('not active');
      if (result.profile !== profile) throw invalidToken(`a ${String(result.profile)} token`);
      // Only access tokens open routes: a refresh token (or an answer that does not say) never does.
      if (result.token_type !== 'access_token') throw invalidToken(`a ${String(result.token_type)} token`);
      if (
        typeof result.sub !== 'string' ||
        typeof result.username !== 'string' ||
        typeof result.exp !== 'number'
      ) {
        throw invalidToken('introspection lacks sub, username or exp');
      }
      return {
        subject: result.sub,
        username: result.username,
        profile,
        tokenId: tokenId(token),
        roles: result.roles ?? [],
        expiresAtMs: result.exp * 1000,
      };
    },
  };
}
