import type { StaffEntry, StaffStore } from './store.js';

/** Telegram usernames: 5–32 of a-z, 0-9, _ (Telegram's rule); a leading @ is dropped. */
const TELEGRAM_USERNAME = /^[a-z0-9_]{5,32}$/;

export function normaliseTelegramUsername(raw: string): string | undefined {
  const name = raw.trim().replace(/^@/, '').toLowerCase();
  return TELEGRAM_USERNAME.test(name) ? name : undefined;
}

export interface StaffService {
  add(username: string, addedBy?: string): Promise<StaffEntry>;
  list(): Promise<StaffEntry[]>;
  isAllowed(username: string): Promise<boolean>;
}

export function createStaffService(deps: { store: StaffStore }): StaffService {
  return {
    async add(username, addedBy) {
      const name = normaliseTelegramUsername(username);
      if (!name) throw new Error(`not a Telegram username: ${JSON.stringify(username)}`);
      return deps.store.add(name, addedBy);
    },
    list: () => deps.store.list(),
    async isAllowed(username) {
      const name = normaliseTelegramUsername(username);
      return name ? deps.store.has(name) : false;
    },
  };
}
