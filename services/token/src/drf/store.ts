import type { Role } from '../shared/subject.js';

/** One drf login: what the token stands for. Stored under the token's id, never the token. */
export interface DrfSession {
  accountId: string;
  username: string;
  roles: Role[];
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
}

/** What the drf capability needs from storage (the domain defines it; Redis implements it). */
export interface DrfTokenStore {
  /** Stores a new session for `ttlS` seconds; false when the id is already taken. */
  put(id: string, session: DrfSession, ttlS: number): Promise<boolean>;
  get(id: string): Promise<DrfSession | undefined>;
  /** Removes the session and answers it, atomically: of two concurrent takes one wins. */
  take(id: string): Promise<DrfSession | undefined>;
}
