import type { ProviderId } from '../providers/provider.js';

/**
 * A link handed out and not yet come back: its provider, the PKCE verifier of its challenge and
 * the hash of the browser binding (pkce.ts `newBinding`) of the browser that asked for it.
 */
export interface PendingState {
  provider: ProviderId;
  verifier: string;
  /** sha256 of the binding cookie's value: the value itself is only ever in that browser. */
  browser: string;
}

/** A code that came back through our callback, bound to the verifier of the link it answers. */
export interface CodeBinding {
  provider: ProviderId;
  verifier: string;
  /** The link's state (VK ID's token request repeats it). */
  state: string;
  /** The binding hash of the state's browser: only that browser may redeem the code. */
  browser: string;
  /** VK ID: the device the code was issued to. */
  deviceId?: string;
}

/**
 * What links need from storage (the domain defines it; Redis implements it, tests use an
 * in-memory fake). Keys are hashes of the state or code (see pkce.ts). Records expire on
 * their own after `ttlS`; a take removes and answers in one atomic step, so of two concurrent
 * takes exactly one gets the record: that is what makes states and codes single use. A peek
 * lets the service check the browser binding first, so a stranger's attempt spends nothing.
 */
export interface LinkStore {
  /** Stores the record unless the key exists; false when it did. */
  putState(id: string, state: PendingState, ttlS: number): Promise<boolean>;
  /** Reads without taking: records never change once put, so a later take gets the same. */
  peekState(id: string): Promise<PendingState | undefined>;
  takeState(id: string): Promise<PendingState | undefined>;
  putCode(id: string, binding: CodeBinding, ttlS: number): Promise<boolean>;
  peekCode(id: string): Promise<CodeBinding | undefined>;
  takeCode(id: string): Promise<CodeBinding | undefined>;
}
