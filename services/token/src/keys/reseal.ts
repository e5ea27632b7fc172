import type { PrismaClient } from '@propusk/db';
import type { JWK } from 'jose';
import { openPrivateJwk, sealPrivateJwk } from './prisma-store.js';
import type { Sealer } from './seal.js';

/**
 * What gets (re)sealed: `plaintext` seals only rows still holding a private JWK in clear (stored
 * before sealing existed; the token service does this at every start, a no-op once done);
 * `all` also moves every row sealed under another master key to the sealing one
 * (`authctl keys reseal`, after putting a new key first in KEYS_ENCRYPTION_KEY).
 */
export type ResealScope = 'plaintext' | 'all';

export interface ResealResult {
  /** Kids of rows that were in clear and are now sealed. */
  readonly sealed: string[];
  /** Kids of rows moved from another master key to the sealing one. */
  readonly resealed: string[];
}

/** A row in clear holds the JSON of a private JWK (the migration turned the jsonb into text). */
function parsePlainJwk(kid: string, text: string): JWK {
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new Error(`signing key ${kid} holds neither a sealed envelope nor a JWK`);
  }
  if (typeof jwk !== 'object' || jwk === null || typeof (jwk as JWK).kty !== 'string') {
    throw new Error(`signing key ${kid} holds neither a sealed envelope nor a JWK`);
  }
  return jwk as JWK;
}

/** The new stored value of a row, or undefined when it stays as it is. */
function resealed(sealer: Sealer, kid: string, stored: string, scope: ResealScope): string | undefined {
  const under = sealer.sealedUnder(stored);
  if (under === undefined) return sealPrivateJwk(sealer, kid, parsePlainJwk(kid, stored));
  if (scope === 'plaintext' || under === sealer.sealingId) return undefined;
  // Opening checks the tag under the old key first: a tampered row fails here, never re-sealed.
  return sealPrivateJwk(sealer, kid, openPrivateJwk(sealer, kid, stored));
}

/**
 * Seals or re-seals the private part of every signing key, retired ones included (their rows
 * still hold a private key, and the old master key can only be dropped once no row needs it).
 * Idempotent. Each row is a compare-and-set on its stored value: a replica sealing the same row
 * at the same moment makes one write win and the other a no-op, never a lost key.
 */
export async function resealSigningKeys(
  prisma: PrismaClient,
  sealer: Sealer,
  scope: ResealScope,
): Promise<ResealResult> {
  const rows = await prisma.signingKey.findMany({
    select: { kid: true, sealedPrivateKey: true },
    orderBy: { createdAt: 'asc' },
  });
  const result: ResealResult = { sealed: [], resealed: [] };
  for (const row of rows) {
    const next = resealed(sealer, row.kid, row.sealedPrivateKey, scope);
    if (next === undefined) continue;
    const { count } = await prisma.signingKey.updateMany({
      where: { kid: row.kid, sealedPrivateKey: row.sealedPrivateKey },
      data: { sealedPrivateKey: next },
    });
    if (count === 0) continue; // changed meanwhile by another sealer
    (sealer.sealedUnder(row.sealedPrivateKey) === undefined ? result.sealed : result.resealed).push(row.kid);
  }
  return result;
}
