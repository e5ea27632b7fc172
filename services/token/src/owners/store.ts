import type { Role } from '../shared/subject.js';

/**
 * Whom a stateless JWT was issued to, for the kinds whose claims do not say it all: document
 * 001's envelope tokens carry the username but no account id, document 003's v2 tokens the
 * account id (`sub`) but no username. Their claims stay exactly as the documents show them, so
 * the token service keeps this record beside the token instead (RFC 7662 §2.2: introspection
 * answers `sub` and `username` for every active token).
 */
export interface TokenOwner {
  accountId: string;
  /** As identity sent it when the token was issued (contracts: token.ts `Subject`). */
  username: string;
  roles: Role[];
}

/** What the envelope and v2 capabilities need from storage (the domain defines it; Redis implements it). */
export interface TokenOwnerStore {
  /** Records the owner of the token with this id (contracts' tokenId) for `ttlS` seconds. */
  put(id: string, owner: TokenOwner, ttlS: number): Promise<void>;
  /** The owner, or undefined when none was recorded (or it expired with the token). */
  get(id: string): Promise<TokenOwner | undefined>;
}
