import type { PrismaClient } from '@propusk/db';
import { CORE_SETTINGS, loadConfig } from '@propusk/kit';
import {
  createKeysService,
  createPrismaKeyStore,
  DEVELOPMENT_KEYS_ENCRYPTION_WARNING,
  isSigningAlg,
  resealSigningKeys,
  resolveKeysEncryption,
  SIGNING_ALG,
  SIGNING_ALGS,
  TOKEN_SETTINGS,
} from '@propusk/token/domain';
import { single, UsageError, type Parsed } from '../args.js';
import type { Print } from './catalog.js';

/**
 * The master key(s) the private signing keys are sealed under: the same KEYS_ENCRYPTION_KEY
 * (and development default) as the token service, or the CLI could not read what it wrote.
 */
function keysSealer() {
  const config = loadConfig({
    KEYS_ENCRYPTION_KEY: TOKEN_SETTINGS.KEYS_ENCRYPTION_KEY,
    NODE_ENV: CORE_SETTINGS.NODE_ENV,
  });
  const { sealer, development } = resolveKeysEncryption(config);
  if (development) process.stderr.write(`authctl: ${DEVELOPMENT_KEYS_ENCRYPTION_WARNING}\n`);
  return sealer;
}

function keysService(prisma: PrismaClient) {
  return createKeysService({ store: createPrismaKeyStore(prisma, keysSealer()) });
}

/**
 * `keys rotate [--alg RS256|HS256]`: RS256 (the published, asymmetric key) by default; each
 * algorithm rotates on its own, the other's active key is left alone.
 */
export async function keysRotate(prisma: PrismaClient, p: Parsed, print: Print): Promise<void> {
  const alg = single(p, 'alg') ?? SIGNING_ALG;
  if (!isSigningAlg(alg)) throw new UsageError(`--alg must be one of ${SIGNING_ALGS.join(', ')}`);
  const key = await keysService(prisma).rotate(alg);
  print(
    `new active signing key ${key.kid} (${key.alg}); previous ${key.alg} keys keep verifying until their tokens expire`,
  );
}

export async function keysList(prisma: PrismaClient, _p: Parsed, print: Print): Promise<void> {
  const keys = await keysService(prisma).verifying();
  if (keys.length === 0) print('(no signing keys yet: the token service creates one at start)');
  for (const k of keys)
    print(
      `${k.kid}\t${k.alg}\t${k.status}${k.retireAfter ? `\tretires after ${k.retireAfter.toISOString()}` : ''}`,
    );
}

/**
 * `keys reseal`: every signing key (retired ones too) sealed under the first key of
 * KEYS_ENCRYPTION_KEY — rows still in clear, and rows sealed under an older master key. Run it
 * after putting a new master key first; once it reports nothing left, the old one can go.
 */
export async function keysReseal(prisma: PrismaClient, _p: Parsed, print: Print): Promise<void> {
  const sealer = keysSealer();
  const { sealed, resealed } = await resealSigningKeys(prisma, sealer, 'all');
  for (const kid of sealed) print(`${kid}\tsealed (was stored in clear)`);
  for (const kid of resealed) print(`${kid}\tresealed`);
  print(
    `every signing key is sealed under master key ${sealer.sealingId} (${sealed.length} sealed, ${resealed.length} resealed)`,
  );
}
