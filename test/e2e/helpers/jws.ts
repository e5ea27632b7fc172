import { createHmac, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** Hand-made compact JWS (RFC 7515 §7.1), for tokens no well-behaved library would produce. */
export const b64url = (v: unknown): string =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

export type Signer = (input: string) => string;

export function jws(header: Record<string, unknown>, payload: unknown, signer: Signer): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${signer(input)}`;
}

export const rs =
  (key: KeyObject, hash: 'sha256' | 'sha512' = 'sha256'): Signer =>
  (input) =>
    sign(hash, Buffer.from(input), key).toString('base64url');

export const hs =
  (secret: string | Buffer): Signer =>
  (input) =>
    createHmac('sha256', secret).update(input).digest('base64url');

export const none: Signer = () => '';

export function rsaPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** RS256 check of a token against a public JWK. */
export function verifiesWith(token: string, jwk: Record<string, unknown>): boolean {
  const [h, p, s] = token.split('.');
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  return verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s ?? '', 'base64url'));
}
