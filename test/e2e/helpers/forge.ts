import { createPrivateKey, hkdfSync } from 'node:crypto';
import { createPrismaClient } from '@propusk/db';
import { decodePart, hs, jws, rs, type Signer } from './jws.js';

/**
 * Tokens signed with the suite's own keys, read from Postgres (docs/SECURITY.md: private JWKs
 * are stored unencrypted there — whoever reads the database can do this). The attack tests use
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
  let keys: StoredKey[];
  try {
    keys = (await prisma.signingKey.findMany()).map((k) => ({
      kid: k.kid,
      alg: k.alg,
      privateJwk: k.privateJwk as Record<string, unknown>,
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
