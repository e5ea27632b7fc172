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
export { createPrismaKeyStore } from './keys/prisma-store.js';
