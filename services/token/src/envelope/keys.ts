import type { SigningKey, VerifyingKey } from '../keys/ring.js';

/** What the envelope capability needs from the keys capability (the key ring provides it). */
export interface EnvelopeKeys {
  signing(): SigningKey;
  verifying(kid: string): Promise<VerifyingKey | undefined>;
}
