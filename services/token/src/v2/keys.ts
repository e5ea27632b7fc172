import type { SigningKey, VerifyingKey } from '../keys/ring.js';

/**
 * What the v2 capability needs from the keys capability: the asymmetric keys only (the key
 * ring provides them; document 001's tokens share them, `typ` and claims keep the two apart).
 */
export interface V2Keys {
  signing(): SigningKey;
  verifying(kid: string): Promise<VerifyingKey | undefined>;
}
