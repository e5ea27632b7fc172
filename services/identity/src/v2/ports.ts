import type { RpcRequest, tokenOps, verificationOps } from '@propusk/contracts';
import type { V2Account } from './store.js';

type IssueRequest = RpcRequest<typeof verificationOps.issue>;
type CheckRequest = RpcRequest<typeof verificationOps.check>;

/**
 * The neighbours document 003's flows call over NATS (wired in wiring.ts): the verification
 * service for codes, the token service for v2 tokens and session revocation.
 */
export interface V2Codes {
  /** verificationOps.issue: answers only after the message is durably queued. */
  issue(req: IssueRequest, requestId?: string): Promise<{ expiresIn: number; resendAfter: number }>;
  /** verificationOps.check: consumes a right code; `code_invalid` otherwise. */
  check(req: CheckRequest, requestId?: string): Promise<{ subject: string }>;
}

export type TokenSubject = RpcRequest<typeof tokenOps.issueV2>;

export interface V2Tokens {
  /** tokenOps.issueV2. */
  issue(subject: TokenSubject, requestId?: string): Promise<{ token: string }>;
  /** tokenOps.revokeAccountSessions, keeping the caller's own token. */
  revokeOthers(
    req: RpcRequest<typeof tokenOps.revokeAccountSessions>,
    requestId?: string,
  ): Promise<{ revoked: number }>;
}

/**
 * The token's subject for an account: v2 names people by e-mail (registration makes it the
 * username); accounts of other profiles may have only a phone or a username.
 */
export function tokenSubject(
  account: Pick<V2Account, 'id' | 'username' | 'email' | 'phone' | 'roles'>,
): TokenSubject {
  return {
    accountId: account.id,
    username: account.email ?? account.phone ?? account.username ?? account.id,
    roles: [...account.roles],
  };
}
