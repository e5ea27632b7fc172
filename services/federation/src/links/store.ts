import type { ProviderId } from '../providers/provider.js';

/** A link handed out and not yet come back: its provider and the PKCE verifier of its challenge. */
export interface PendingState {
  provider: ProviderId;
  verifier: string;
}

/** A code that came back through our callback, bound to the verifier of the link it answers. */
export interface CodeBinding {
  provider: ProviderId;
  verifier: string;
  /** The link's state (VK ID's token request repeats it). */
  state: string;
  /** VK ID: the device the code was issued to. */
  deviceId?: string;
}

/**
 * What links need from storage (the domain defines it; Redis implements it, tests use an
 * in-memory fake). Keys are hashes of the state or code (see pkce.ts). Records expire on
 * their own after `ttlS`; a take removes and answers in one atomic step, so of two concurrent
 * takes exactly one gets the record: that is what makes states and codes single use.
 */
export interface LinkStore {
  /** Stores the record unless the key exists; false when it did. */
  putState(id: string, state: PendingState, ttlS: number): Promise<boolean>;
  takeState(id: string): Promise<PendingState | undefined>;
  putCode(id: string, binding: CodeBinding, ttlS: number): Promise<boolean>;
  takeCode(id: string): Promise<CodeBinding | undefined>;
}
