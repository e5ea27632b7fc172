import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '@propusk/kit';
import type { ClientCredentials } from './credentials.js';

/**
 * The internal callers of the standard endpoints (RFC 7662 §2.1: "the protected resource MUST
 * also be authorized to make the call"; RFC 7009 §2.1 authenticates the client too), each
 * with a shared secret, from INTROSPECTION_CLIENTS.
 */
export interface ClientAuthenticator {
  /**
   * The caller's client id when the credentials it presented (by either method: basic.ts,
   * credentials.ts) name a configured client with its secret; undefined for anything else.
   */
  verify(presented: ClientCredentials | undefined): string | undefined;
  /** How many callers are configured (none: every call is refused). */
  readonly size: number;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** INTROSPECTION_CLIENTS (`id:secret[,id:secret…]`, validated by its pattern) → id → secret digest. */
export function parseClients(setting: string | undefined): Map<string, Buffer> {
  const clients = new Map<string, Buffer>();
  if (!setting) return clients;
  for (const entry of setting.split(',')) {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    // The reason names the id, never the secret (the variable is secret).
    if (clients.has(id)) throw new ConfigError('INTROSPECTION_CLIENTS', `names the client ${id} twice`);
    clients.set(id, digest(entry.slice(colon + 1)));
  }
  return clients;
}

/** Compared when the id is unknown, so an unknown id costs what a wrong secret does. */
const NO_SECRET = digest('');

export function createClientAuthenticator(setting: string | undefined): ClientAuthenticator {
  const clients = parseClients(setting);
  return {
    size: clients.size,
    verify(presented) {
      if (!presented) return undefined;
      const expected = clients.get(presented.id);
      // Digests have one length, so timingSafeEqual compares every byte whatever was sent.
      const same = timingSafeEqual(digest(presented.secret), expected ?? NO_SECRET);
      return same && expected ? presented.id : undefined;
    },
  };
}
