import type { PrismaClient, Role } from '@propusk/db';
import {
  AccountsError,
  backfillUsernameKeys,
  createAccountsService,
  createPasswordHasher,
  createPrismaAccountStore,
} from '@propusk/identity/domain';
import { repeated, required, single, UsageError, type Parsed } from '../args.js';
import { normalisePhone } from '../phone.js';
import type { Print } from './catalog.js';

export const ROLES: readonly Role[] = ['superuser', 'staff', 'admin'];

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** `--role` as often as needed (`--role admin --role staff`); each must be a known role. */
function rolesOf(p: Parsed): Role[] {
  const roles = repeated(p, 'role');
  const unknown = roles.find((r) => !isRole(r));
  if (unknown !== undefined)
    throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got ${unknown})`);
  return [...new Set(roles as Role[])];
}

function phoneOf(p: Parsed): string | undefined {
  const raw = single(p, 'phone');
  if (raw === undefined) return undefined;
  const phone = normalisePhone(raw);
  if (!phone)
    throw new UsageError(
      `--phone must be a Russian mobile number (+7 9XX…, 8 9XX…, 7 9XX…) or an E.164 number, got ${JSON.stringify(raw)}`,
    );
  return phone;
}

export async function usersCreate(prisma: PrismaClient, p: Parsed, print: Print): Promise<void> {
  // Everything the operator typed is checked before the (slow, argon2id) hashing starts.
  const input = {
    username: required(p, 'username'),
    password: required(p, 'password'),
    email: single(p, 'email'),
    phone: phoneOf(p),
    roles: rolesOf(p),
  };
  const accounts = createAccountsService({
    store: createPrismaAccountStore(prisma),
    hasher: await createPasswordHasher(),
  });
  // Accounts stored before the username keys existed get them first, as identity does at start,
  // so a look-alike of one of them is refused here too (and the older account keeps its name).
  await backfillUsernameKeys(prisma);
  try {
    const account = await accounts.create(input);
    const roles = account.roles.length ? ` with role ${account.roles.join(', ')}` : '';
    const phone = account.phone ? `, phone ${account.phone}` : '';
    print(`created user ${account.username} (${account.id})${roles}${phone}`);
  } catch (err) {
    if (err instanceof AccountsError) throw new UsageError(err.message);
    throw err;
  }
}
