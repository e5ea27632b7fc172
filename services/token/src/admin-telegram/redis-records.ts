import { isRole } from '../shared/subject.js';
import type { AccessSession, Family, NewPair, RefreshRecord, RevokedAccess } from './store.js';

/** The admin-telegram records as Redis holds them (redis-keys.ts), and back. */

export function parseSession(raw: string | null): AccessSession | undefined {
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<AccessSession>;
    if (
      typeof v.accountId === 'string' &&
      typeof v.username === 'string' &&
      Array.isArray(v.roles) &&
      v.roles.every(isRole) &&
      Number.isSafeInteger(v.chatId) &&
      typeof v.familyId === 'string' &&
      typeof v.tokenId === 'string' &&
      Number.isSafeInteger(v.exp)
    ) {
      return {
        accountId: v.accountId,
        username: v.username,
        roles: v.roles,
        chatId: v.chatId!,
        familyId: v.familyId,
        tokenId: v.tokenId,
        exp: v.exp!,
      };
    }
  } catch {
    // a corrupt record is no session
  }
  return undefined;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function parseRefresh(h: Record<string, string>): RefreshRecord | undefined {
  const exp = int(h.exp);
  if (!h.family || !h.access || exp === undefined) return undefined;
  if (h.status !== 'current' && h.status !== 'used') return undefined;
  const usedAt = int(h.usedAt);
  return {
    familyId: h.family,
    status: h.status,
    accessUuid: h.access,
    exp,
    ...(usedAt === undefined ? {} : { usedAt }),
    ...(h.next ? { next: h.next } : {}),
  };
}

function parseRoles(raw: string | undefined): AccessSession['roles'] | undefined {
  try {
    const roles: unknown = JSON.parse(raw ?? '');
    return Array.isArray(roles) && roles.every(isRole) ? roles : undefined;
  } catch {
    return undefined;
  }
}

export function parseFamily(familyId: string, h: Record<string, string>): Family | undefined {
  const [accessExp, refreshExp, chatId] = [int(h.accessExp), int(h.refreshExp), int(h.chatId)];
  const roles = parseRoles(h.roles);
  if (!h.refresh || !h.access || !h.accessTokenId || !h.accountId || !h.username || !roles) return undefined;
  if (accessExp === undefined || refreshExp === undefined || chatId === undefined) return undefined;
  return {
    familyId,
    refreshUuid: h.refresh,
    accessUuid: h.access,
    accessTokenId: h.accessTokenId,
    accessExp,
    refreshExp,
    accountId: h.accountId,
    username: h.username,
    roles,
    chatId,
  };
}

/** The script's `{outcome, tokenId, exp}` answer. */
export function revokedFrom(reply: unknown): RevokedAccess {
  const [, tokenId, exp] = reply as [string, string, string];
  return { tokenId, exp: Number(exp) };
}

export function familyFields(pair: NewPair): Record<string, string | number> {
  const s = pair.session;
  return {
    refresh: pair.refreshUuid,
    access: pair.accessUuid,
    accessTokenId: s.tokenId,
    accessExp: s.exp,
    refreshExp: pair.refreshExp,
    accountId: s.accountId,
    username: s.username,
    roles: JSON.stringify(s.roles),
    chatId: s.chatId,
  };
}
