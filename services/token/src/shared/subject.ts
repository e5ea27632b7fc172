import type { RpcRequest, tokenOps } from '@propusk/contracts';

/** Who a token is issued to, as identity sends it (contracts: token.ts `Subject`). */
export type TokenSubject = RpcRequest<typeof tokenOps.issueDrf>;
export type Role = TokenSubject['roles'][number];

export const ROLES: readonly Role[] = ['superuser', 'staff', 'admin'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
