// The token domain as other workspace code (the operator CLI) uses it.
export {
  createKeysService,
  LONGEST_TOKEN_LIFETIME_MS,
  SIGNING_ALG,
  type KeysService,
} from './keys/service.js';
export { createPrismaKeyStore } from './keys/prisma-store.js';
