// The identity domain as other workspace code (the operator CLI) uses it.
export { createPasswordHasher, ARGON2_PARAMS } from './credentials/hasher.js';
export { checkPassword, PASSWORD_MIN, PASSWORD_MAX } from './credentials/policy.js';
export { createAccountsService, type AccountsService } from './accounts/service.js';
export { createPrismaAccountStore } from './accounts/prisma-store.js';
export { AccountsError } from './accounts/errors.js';
export { backfillUsernameKeys } from './accounts/backfill.js';
export { createStaffService, normaliseTelegramUsername, type StaffService } from './staff/service.js';
export { createPrismaStaffStore } from './staff/prisma-store.js';
