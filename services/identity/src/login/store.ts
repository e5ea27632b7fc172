import type { AccountRecord } from '../accounts/store.js';

/** An account as password login needs it: the accounts store's record, password hash included. */
export type LoginAccount = AccountRecord;

export interface LoginAccountStore {
  findByUsername(username: string): Promise<LoginAccount | undefined>;
  /** `email` lower-cased, as accounts store it. */
  findByEmail(email: string): Promise<LoginAccount | undefined>;
  /** `phone` in E.164. */
  findByPhone(phone: string): Promise<LoginAccount | undefined>;
}
