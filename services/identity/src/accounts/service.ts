import type { AccountView } from '@propusk/contracts';
import type { Role } from '@propusk/db';
import { checkPassword, PASSWORD_PROBLEM_TEXT } from '../credentials/policy.js';
import type { PasswordHasher } from '../credentials/hasher.js';
import { AccountsError, accountNotFound } from './errors.js';
import { accountView } from './view.js';
import type { AccountRecord, AccountStore } from './store.js';
import { usernameKeys } from './username.js';

export interface CreateAccountInput {
  username?: string;
  password?: string;
  email?: string;
  phone?: string;
  roles?: Role[];
}

export interface AccountsService {
  create(input: CreateAccountInput): Promise<AccountRecord>;
  /** The account by id (contract identity.getAccount), or `account_not_found`. */
  get(id: string): Promise<AccountView>;
}

const USERNAME = /^[\p{L}\p{N}._@+-]{1,150}$/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_E164 = /^\+[1-9]\d{7,14}$/;

export function createAccountsService(deps: {
  store: AccountStore;
  hasher: PasswordHasher;
}): AccountsService {
  return {
    async create(input) {
      if (input.username !== undefined && !USERNAME.test(input.username)) {
        throw new AccountsError('invalid_input', 'username: 1–150 letters, digits and . _ @ + -', 'username');
      }
      if (input.email !== undefined && !EMAIL.test(input.email))
        throw new AccountsError('invalid_input', 'email is not an address', 'email');
      if (input.phone !== undefined && !PHONE_E164.test(input.phone)) {
        throw new AccountsError('invalid_input', 'phone must be in E.164 form, e.g. +79001234567', 'phone');
      }
      let passwordHash: string | undefined;
      if (input.password !== undefined) {
        const problem = checkPassword(input.password);
        if (problem) throw new AccountsError('weak_password', PASSWORD_PROBLEM_TEXT[problem], 'password');
        passwordHash = await deps.hasher.hash(input.password);
      }
      return deps.store.create({
        username: input.username,
        // Its case-folded form and confusable skeleton: the store's unique indexes refuse
        // `Alice`, `аlice` (Cyrillic) or `ａlice` once `alice` exists (issue 15).
        ...(input.username === undefined ? {} : usernameKeys(input.username)),
        email: input.email?.toLowerCase(),
        phone: input.phone,
        passwordHash,
        roles: [...new Set(input.roles ?? [])],
      });
    },
    async get(id) {
      const account = await deps.store.findById(id);
      if (!account) throw accountNotFound();
      return accountView(account);
    },
  };
}
