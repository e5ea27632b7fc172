import { tokenId, type IntrospectionResult } from '@propusk/contracts';
import type { Logger } from '@propusk/kit';
import type { AdminTelegramService } from '../admin-telegram/service.js';
import type { AuthorizationService } from '../authorization/service.js';
import type { DrfService } from '../drf/service.js';
import type { EnvelopeService } from '../envelope/service.js';
import type { TokenOwnerStore } from '../owners/store.js';
import type { RevocationService } from '../revocation/service.js';
import type { V2Service } from '../v2/service.js';
import { tokenKind } from './token-kind.js';
import { tokenType } from './token-type.js';

export interface IntrospectionService {
  /**
   * RFC 7662 §2.2: `{active: false}` for anything unknown, malformed, expired, revoked or
   * failing verification — never an error, and never a reason. When Redis cannot be read the
   * answer is the `unavailable` error, never `active: true` (fail closed).
   */
  introspect(token: string): Promise<IntrospectionResult>;
  /** RFC 7009 §2.2: an unknown or invalid token is not an error; it answers `revoked: false`. */
  revoke(token: string): Promise<{ revoked: boolean }>;
}

export interface IntrospectionDeps {
  drf: DrfService;
  envelope: EnvelopeService;
  adminTelegram: AdminTelegramService;
  v2: V2Service;
  authorization: AuthorizationService;
  revocation: RevocationService;
  /** Whom envelope and v2 tokens were issued to: their claims name only half of it. */
  owners: TokenOwnerStore;
  /** drf tokens are opaque: their `iss` is the suite's own (PUBLIC_BASE_URL). */
  drfIssuer: string;
  log: Logger;
}

const INACTIVE: IntrospectionResult = Object.freeze({ active: false });

/**
 * Every active answer, whatever the profile, names the account the same way (RFC 7662 §2.2):
 * `sub` is the account id (the subject identifier: stable, machine-readable, RFC 7519 §4.1.2)
 * and `username` the human-readable name the account signed in with. Resource servers key
 * their own records by `sub`, so it never depends on which document's token was presented.
 */

export function createIntrospectionService(deps: IntrospectionDeps): IntrospectionService {
  async function introspectDrf(token: string): Promise<IntrospectionResult> {
    const session = await deps.drf.lookup(token);
    if (!session) return INACTIVE;
    const jti = tokenId(token);
    if (await deps.revocation.isRevoked(jti)) return INACTIVE;
    return {
      active: true,
      sub: session.accountId,
      username: session.username,
      profile: 'drf',
      token_type: tokenType('access'),
      roles: session.roles,
      jti,
      iat: session.iat,
      exp: session.exp,
      iss: deps.drfIssuer,
    };
  }

  async function introspectJwt(token: string): Promise<IntrospectionResult> {
    const verdict = await deps.envelope.verify(token);
    if (!verdict.ok) {
      deps.log.debug({ reason: verdict.reason }, 'jwt refused');
      return INACTIVE;
    }
    const jti = tokenId(token);
    if (await deps.revocation.isRevoked(jti)) return INACTIVE;
    // Document 001's claims name no account id: the owner record of the issue does. A token
    // without one (issued before the record existed) is not vouched for: inactive, fail closed.
    const { claims } = verdict;
    const owner = await deps.owners.get(jti);
    if (owner?.username !== claims.username) return INACTIVE;
    return {
      active: true,
      sub: owner.accountId,
      username: claims.username,
      profile: 'envelope',
      token_type: tokenType('access'),
      roles: owner.roles,
      jti,
      iat: claims.iat,
      exp: claims.exp,
      iss: claims.iss,
    };
  }

  /**
   * admin-telegram (document 000): an access token is active while its session exists and it
   * is not revoked; a refresh token while it is its family's current one. `jti` is the uuid.
   */
  async function introspectAdminTelegram(token: string): Promise<IntrospectionResult> {
    const found = await deps.adminTelegram.live(token);
    if (!found) return INACTIVE;
    if (await deps.revocation.isRevoked(tokenId(token))) return INACTIVE;
    const owner = found.kind === 'access' ? found.session : found.family;
    return {
      active: true,
      sub: owner.accountId,
      username: owner.username,
      profile: 'admin-telegram',
      token_type: tokenType(found.kind),
      roles: owner.roles,
      jti: found.kind === 'access' ? found.claims.access_uuid : found.claims.refresh_uuid,
      exp: found.claims.exp,
    };
  }

  /**
   * v2 (document 003): active while it verifies and is not revoked. Its `sub` claim is the
   * account id; the username is in the owner record of the issue (fail closed without one).
   */
  async function introspectV2(token: string): Promise<IntrospectionResult> {
    const claims = await deps.v2.live(token);
    if (!claims) return INACTIVE;
    const owner = await deps.owners.get(tokenId(token));
    if (owner?.accountId !== claims.sub) return INACTIVE;
    return {
      active: true,
      sub: claims.sub,
      username: owner.username,
      profile: 'v2',
      token_type: tokenType('access'),
      roles: owner.roles,
      jti: claims.jti,
      iat: claims.iat,
      exp: claims.exp,
      iss: claims.iss,
    };
  }

  /**
   * HS256 JWTs: admin-telegram (document 000) or authorization (document 002); each verifier
   * uses its own subkeys, so at most one of them takes a token.
   */
  async function introspectHmac(token: string): Promise<IntrospectionResult> {
    const admin = await introspectAdminTelegram(token);
    if (admin.active) return admin;
    const found = await deps.authorization.live(token);
    if (!found) return INACTIVE;
    return {
      active: true,
      sub: found.session.accountId,
      username: found.claims.user_name,
      profile: 'authorization',
      token_type: tokenType(found.kind),
      roles: found.session.roles,
      jti: found.claims.header.uuid,
      exp: found.claims.exp,
    };
  }

  async function revokeDrf(token: string): Promise<boolean> {
    const session = await deps.drf.take(token);
    if (!session) return false;
    // The session is gone already; the record and event tell caches to drop it too.
    await deps.revocation.revoke({ jti: tokenId(token), profile: 'drf', exp: session.exp });
    return true;
  }

  async function revokeJwt(token: string): Promise<boolean> {
    const verdict = await deps.envelope.verify(token);
    if (!verdict.ok) return false;
    return deps.revocation.revoke({ jti: tokenId(token), profile: 'envelope', exp: verdict.claims.exp });
  }

  return {
    async introspect(token) {
      switch (tokenKind(token)) {
        case 'drf':
          return introspectDrf(token);
        case 'jwt':
          return introspectJwt(token);
        case 'v2-jwt':
          return introspectV2(token);
        case 'hmac-jwt':
          return introspectHmac(token);
        default:
          return INACTIVE;
      }
    },
    async revoke(token) {
      switch (tokenKind(token)) {
        case 'drf':
          return { revoked: await revokeDrf(token) };
        case 'jwt':
          return { revoked: await revokeJwt(token) };
        case 'v2-jwt':
          return { revoked: await deps.v2.revoke(token) };
        case 'hmac-jwt':
          // RFC 7009 §2.1 lets revoking one token revoke related ones: an admin-telegram
          // token takes its whole family, an authorization refresh token its session.
          return {
            revoked:
              (await deps.adminTelegram.revokeFamily(token)) || (await deps.authorization.revoke(token)),
          };
        default:
          return { revoked: false };
      }
    },
  };
}
