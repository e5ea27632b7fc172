import type { AccountView } from '@propusk/contracts';
import type { Role } from '@propusk/db';

/** An account as other services see it (contract AccountView): never its password hash. */
export function accountView(account: {
  id: string;
  username: string | null;
  email: string | null;
  phone: string | null;
  roles: Role[];
}): AccountView {
  return {
    id: account.id,
    username: account.username,
    email: account.email,
    phone: account.phone,
    roles: [...account.roles],
  };
}
