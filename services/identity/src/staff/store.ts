/** The staff allowlist (DESIGN, profile admin-telegram): Telegram usernames, case-insensitive. */
export interface StaffEntry {
  username: string;
  addedAt: Date;
}

export interface StaffStore {
  add(username: string, addedBy?: string): Promise<StaffEntry>;
  list(): Promise<StaffEntry[]>;
  has(username: string): Promise<boolean>;
}
