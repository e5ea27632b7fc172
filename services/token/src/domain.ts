// The token domain as other workspace code (the operator CLI) uses it.
export {
  createKeysService,
  HMAC_ALG,
  isSigningAlg,
  LONGEST_TOKEN_LIFETIME_MS,
  SIGNING_ALG,
  SIGNING_ALGS,
  type KeysService,
  type SigningAlg,
} from './keys/service.js';
export { createPrismaKeyStore, openPrivateJwk } from './keys/prisma-store.js';
export { DEVELOPMENT_KEYS_ENCRYPTION_WARNING, resolveKeysEncryption } from './keys/encryption-key.js';
export { resealSigningKeys, type ResealResult } from './keys/reseal.js';
export { TOKEN_SETTINGS } from './settings.js';
