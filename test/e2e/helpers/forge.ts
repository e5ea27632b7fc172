import { createPrivateKey, hkdfSync } from 'node:crypto';
import { createPrismaClient } from '@propusk/db';
import { resolveKeysEncryption } from '../../../services/token/src/keys/encryption-key.js';
import { openPrivateJwk } from '../../../services/token/src/keys/prisma-store.js';
import { decodePart, hs, jws, rs, type Signer } from './jws.js';

/**
 * Tokens signed with the suite's own keys, read from Postgres and opened with the suite's
 * KEYS_ENCRYPTION_KEY (the development key unless the environment sets one): whoever holds the
 * database and the master key can do this; the database alone is not enough (docs/SECURITY.md). The attack tests use
 * them so a refused expired or wrong-issuer token is refused for its claims, not for a bad
 * signature; a re-signed copy of a live token must be accepted (the control).
 */
export interface SuiteKeys {
  /** The signer of the key a token names in its `kid`, for its kind. */
  signerFor(token: string): Signer;
  /** Re-signs a token's own header with other claims (and header members). */
  resign(token: string, claims: Record<string, unknown>, header?: Record<string, unknown>): string;
}

/** HKDF `info` of each HS256 profile and kind (token service: admin-telegram/keys.ts, authorization/keys.ts). */
const SUBKEY_INFO: Readonly<Record<string, string>> = {
  'admin-telegram access': 'propusk admin-telegram access',
  'admin-telegram refresh': 'propusk admin-telegram refresh',
  'authorization access': 'propusk authorization access',
  'authorization refresh': 'propusk authorization refresh',
};

export type HsKind = keyof typeof SUBKEY_INFO;

interface StoredKey {
  kid: string;
  alg: string;
  privateJwk: Record<string, unknown>;
}

export async function suiteKeys(
  databaseUrl: string,
  hsKindOf: (token: string) => HsKind | undefined,
): Promise<SuiteKeys> {
  const prisma = createPrismaClient(databaseUrl);
  const { sealer } = resolveKeysEncryption({
    KEYS_ENCRYPTION_KEY: process.env.KEYS_ENCRYPTION_KEY,
    NODE_ENV: 'development',
  });
  let keys: StoredKey[];
  try {
    keys = (await prisma.signingKey.findMany()).map((k) => ({
      kid: k.kid,
      alg: k.alg,
      privateJwk: openPrivateJwk(sealer, k.kid, k.sealedPrivateKey) as Record<string, unknown>,
    }));
  } finally {
    await prisma.$disconnect();
  }
  function signerFor(token: string): Signer {
    const header = decodePart(token, 0);
    const key = keys.find((k) => k.kid === header.kid);
    if (!key) throw new Error(`no key ${String(header.kid)} in the database`);
    if (key.alg === 'RS256') return rs(createPrivateKey({ key: key.privateJwk as never, format: 'jwk' }));
    const kind = hsKindOf(token);
    if (!kind) throw new Error('an HS256 token of unknown kind');
    const master = Buffer.from(String(key.privateJwk.k), 'base64url');
    return hs(Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), SUBKEY_INFO[kind] as string, 32)));
  }
  return {
    signerFor,
    resign: (token, claims, header = {}) =>
      jws({ ...decodePart(token, 0), ...header }, claims, signerFor(token)),
  };
}
