import type { PrismaClient } from '@propusk/db';
import type { Logger } from '@propusk/kit';
import { DEVELOPMENT_KEYS_ENCRYPTION_WARNING, resolveKeysEncryption } from './encryption-key.js';
import { createPrismaKeyStore } from './prisma-store.js';
import { resealSigningKeys } from './reseal.js';
import type { KeyStore } from './store.js';

/**
 * The signing-key store of a starting token service: the master key resolved (production
 * without KEYS_ENCRYPTION_KEY stops here), and any private key still stored in clear — rows
 * from before sealing — sealed before the key ring reads them. After the first start there is
 * nothing left in clear, so the "sealed" line is logged once per such row.
 */
export async function openSigningKeyStore(deps: {
  prisma: PrismaClient;
  config: { readonly KEYS_ENCRYPTION_KEY?: string | undefined; readonly NODE_ENV: string };
  log: Logger;
}): Promise<KeyStore> {
  const { sealer, development } = resolveKeysEncryption(deps.config);
  if (development) deps.log.warn(DEVELOPMENT_KEYS_ENCRYPTION_WARNING);
  const { sealed } = await resealSigningKeys(deps.prisma, sealer, 'plaintext');
  if (sealed.length > 0) {
    // Kids name keys, they are no secret (the JWKS publishes the RS256 ones).
    deps.log.info(
      { kids: sealed, masterKeyId: sealer.sealingId },
      `sealed ${sealed.length} signing key(s) stored in clear before KEYS_ENCRYPTION_KEY`,
    );
  }
  return createPrismaKeyStore(deps.prisma, sealer);
}
