import type { RpcRequest, tokenOps } from '@propusk/contracts';
import type { TokenOwner } from '../owners/store.js';

/** Who a token is issued to, as identity sends it (contracts: token.ts `Subject`). */
export type TokenSubject = RpcRequest<typeof tokenOps.issueDrf>;
export type Role = TokenSubject['roles'][number];

export const ROLES: readonly Role[] = ['superuser', 'staff', 'admin'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** What the owner record of a stateless JWT keeps of its subject (owners/store.ts). */
export function ownerOf(subject: TokenSubject): TokenOwner {
  return { accountId: subject.accountId, username: subject.username, roles: [...new Set(subject.roles)] };
}
