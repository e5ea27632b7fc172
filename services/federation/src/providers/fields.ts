import { providerUnavailable } from './errors.js';
import type { ProviderId, ProviderTokens } from './provider.js';

/**
 * Reading the fields of providers' answers: strings and numbers as text, bounded as contracts'
 * FederatedProfile bounds them; what is missing or unusable is left out, never guessed.
 */

export function text(value: unknown, maxLength = 200): string | undefined {
  const raw = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  return trimmed === '' || trimmed.length > maxLength ? undefined : trimmed;
}

/** The provider's stable user id: required; an answer without one is not a user info. */
export function subjectOf(id: ProviderId, value: unknown): string {
  const subject = text(value, 128);
  if (subject === undefined) throw providerUnavailable(id, 'answered user info without a user id');
  return subject;
}

export function emailOf(value: unknown): string | undefined {
  const email = text(value, 320);
  return email !== undefined && /^[^@\s]+@[^@\s]+$/.test(email) ? email : undefined;
}

/** What a provider's user info says of the person's e-mail (contracts' FederatedProfile). */
export interface ProviderEmail {
  email?: string;
  emailVerified?: boolean;
}

/**
 * The user info's e-mail and whether the provider vouches for it. None of the three user-info
 * answers carries a verification flag (VK ID `user_info`, Yandex `/info`, Mail.ru `userinfo`),
 * and each provider lets an account carry an address the user merely typed, so an address
 * proves nothing by being there: anyone can sign up at Mail.ru with someone else's address and
 * register here with it (pre-account hijacking, Sudhodanan & Paverd 2022; issue 15). What a
 * provider does know is its own mailboxes: an address on a domain it hosts IS the account
 * signed in (`hosted`, exact domains, case-insensitive per RFC 5321 §2.4; a subdomain is
 * someone else's server). Only those count as verified.
 */
export function providerEmail(value: unknown, hosted: ReadonlySet<string>): ProviderEmail {
  const email = emailOf(value);
  if (email === undefined) return {};
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return { email, emailVerified: hosted.has(domain) };
}

/**
 * E.164 (`+` and 8–15 digits, ITU-T E.164 §6.1) from what providers send: VK gives
 * `79991234567`, Yandex `+79991234567`. Separators are dropped. A Russian number written with
 * the trunk prefix (`8 9XX …`, no `+`) is `+7 9XX …`, as identity reads numbers (DESIGN, 003);
 * identity normalises again, so this only has to keep every usable number. Anything else
 * (too short, letters) is left out: it cannot be an E.164 number.
 */
export function phoneOf(value: unknown): string | undefined {
  const raw = text(value, 32)?.replace(/[\s().-]/g, '');
  if (raw === undefined) return undefined;
  const trunk = /^8(9\d{9})$/.exec(raw);
  if (trunk) return `+7${trunk[1]}`;
  const match = /^\+?([1-9]\d{7,14})$/.exec(raw);
  return match ? `+${match[1]}` : undefined;
}

/** Drops undefined fields, so an answer carries only what the provider told. */
export function defined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A token answer (RFC 6749 §5.1) as document 002 spells it: `{access_token, refresh_token,
 * expire_in}`. An answer without an access token or lifetime is not a token answer (502);
 * a missing refresh token (RFC 6749 makes it optional) is answered as an empty string.
 */
export function tokensOf(id: ProviderId, body: Record<string, unknown>): ProviderTokens {
  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw providerUnavailable(id, 'answered the token request without an access token');
  }
  const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
  if (typeof expiresIn !== 'number' || !Number.isSafeInteger(expiresIn) || expiresIn < 0) {
    throw providerUnavailable(id, 'answered the token request without a valid expires_in');
  }
  const refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : '';
  return { access_token: accessToken, refresh_token: refreshToken, expire_in: expiresIn };
}

/** `{…}` under `key`, or undefined. */
export function objectAt(body: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = body[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** `base` (no trailing slash, as kit's config keeps URLs) joined with a path and a query. */
export function endpoint(base: string, path: string, query?: Record<string, string>): string {
  const url = new URL(`${base.replace(/\/+$/, '')}${path}`);
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
  return url.toString();
}
