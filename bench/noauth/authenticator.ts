// Stands in for gateway/src/auth/authenticator.ts in the "auth off" gateway (see main.ts): every
// token is "verified" as the fixed identity the bench gives in BENCH_NOAUTH_IDENTITY (the
// identity the real gateway verified for the token the bench sends), at no cost: no extraction,
// no token id, no cache, no revocation list, no introspection.
import type { Authenticator, AuthenticatorOptions } from '../../gateway/src/auth/authenticator.js';
import type { VerifiedToken } from '../../gateway/src/auth/identity.js';

export type {
  Authenticator,
  AuthenticatorOptions,
  AuthOutcome,
  TokenStrategy,
} from '../../gateway/src/auth/authenticator.js';

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const identity = JSON.parse(process.env.BENCH_NOAUTH_IDENTITY ?? 'null') as VerifiedToken | null;
  if (!identity) throw new Error('BENCH_NOAUTH_IDENTITY is required');
  return {
    supports: (profile) => options.strategies[profile] !== undefined,
    async authenticate(_profile, authorization) {
      const header = Array.isArray(authorization) ? authorization[0] : authorization;
      const token = header?.slice(header.indexOf(' ') + 1) ?? '';
      return { kind: 'verified', token, identity };
    },
    forget: () => undefined,
    revoked: () => undefined,
    reset: () => undefined,
  };
}
