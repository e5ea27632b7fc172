import { randomBytes } from 'node:crypto';

/**
 * drf (document 004) tokens: 40 lowercase hex characters, like Django REST framework's
 * authtoken (`binascii.hexlify(os.urandom(20))`): 160 bits from the CSPRNG.
 */
export const DRF_TOKEN = /^[0-9a-f]{40}$/;

export function newDrfToken(): string {
  return randomBytes(20).toString('hex');
}

export function isDrfToken(token: string): boolean {
  return DRF_TOKEN.test(token);
}
