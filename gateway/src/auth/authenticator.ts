import { tokenId, type Profile, type SessionRevokedEvent } from '@propusk/contracts';
import type { VerifiedCache } from './cache.js';
import { AuthError, type AuthFailureReason } from './errors.js';
import { extractToken } from './extract.js';
import type { VerifiedToken } from './identity.js';
import type { RevocationList } from './revocation.js';

/** How one profile's access tokens are presented and verified. */
export interface TokenStrategy {
  /** Accepted `Authorization` schemes, lower case (see extract.ts). */
  readonly schemes: readonly string[];
  /** The token may also come bare, with no scheme (document 003; see extract.ts). */
  readonly bare?: boolean;
  /** How long a verification is reused (default: the authenticator's `cacheTtlMs`). */
  readonly cacheTtlMs?: number;
  verify(token: string): Promise<VerifiedToken>;
}

export type AuthOutcome =
  | { kind: 'verified'; token: string; identity: VerifiedToken }
  | { kind: 'rejected'; reason: AuthFailureReason; detail: string };

export interface Authenticator {
  supports(profile: Profile): boolean;
  authenticate(profile: Profile, authorization: string | string[] | undefined): Promise<AuthOutcome>;
  /** The token was just revoked through this gateway (logout answered): re-check it on next use. */
  forget(id: string): void;
  /** An `auth.session.revoked` event. */
  revoked(event: SessionRevokedEvent): void;
  /** Events may have been missed (NATS reconnected): drop every cached verification. */
  reset(): void;
}

export interface AuthenticatorOptions {
  strategies: Readonly<Partial<Record<Profile, TokenStrategy>>>;
  revocations: RevocationList;
  cache: VerifiedCache<VerifiedToken>;
  /** A verification is reused at most this long (and never past the token's expiry). */
  cacheTtlMs: number;
  now?: () => number;
}

/**
 * extract → cached verification, or verify (signature/introspection) → revocation (event list,
 * then Redis) → cache. A cache hit is still checked against the local revocation list.
 */
export function createAuthenticator({
  strategies,
  revocations,
  cache,
  cacheTtlMs,
  now = Date.now,
}: AuthenticatorOptions): Authenticator {
  const rejected = (reason: AuthFailureReason, detail: string): AuthOutcome => ({
    kind: 'rejected',
    reason,
    detail,
  });

  return {
    supports: (profile) => strategies[profile] !== undefined,
    async authenticate(profile, authorization) {
      const strategy = strategies[profile];
      if (!strategy) throw new Error(`no token strategy for profile ${profile}`);
      const extracted = extractToken(authorization, strategy.schemes, { bare: strategy.bare });
      if (extracted.kind === 'none') return rejected('missing', 'no credentials');
      if (extracted.kind === 'malformed') return rejected('invalid', 'malformed credentials');
      const { token } = extracted;
      const id = tokenId(token);
      const cached = cache.get(id);
      if (cached && cached.profile === profile && !revocations.isLocallyRevoked(id)) {
        return { kind: 'verified', token, identity: cached };
      }
      const startedAt = now();
      let identity: VerifiedToken;
      try {
        identity = await strategy.verify(token);
        if (identity.profile !== profile) return rejected('invalid', `a ${identity.profile} token`);
        if (await revocations.isRevoked(id)) return rejected('invalid', 'revoked');
      } catch (err) {
        if (err instanceof AuthError) return rejected(err.reason, err.detail);
        throw err;
      }
      cache.set(
        id,
        identity,
        Math.min(identity.expiresAtMs, startedAt + (strategy.cacheTtlMs ?? cacheTtlMs)),
        startedAt,
      );
      return { kind: 'verified', token, identity };
    },
    forget: (id) => cache.delete(id),
    revoked(event) {
      revocations.add(event);
      cache.delete(event.jti);
    },
    reset: () => cache.clear(),
  };
}
