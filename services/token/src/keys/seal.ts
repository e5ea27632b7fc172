import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Sealed private keys: what Postgres holds instead of a private JWK, so a database dump or a
 * read-only SQL injection yields no signing key. AES-256-GCM (NIST SP 800-38D) under a master
 * key from KEYS_ENCRYPTION_KEY, in one text envelope:
 *
 *   v1.<master key id>.<base64url IV>.<base64url ciphertext ‖ tag>
 *
 * - The IV is 12 random bytes (SP 800-38D §8.2.2, the RBG construction). Each master key seals
 *   a handful of signing keys over its life, far below the 2^32 invocations §8.3 allows.
 * - The tag is the full 16 bytes (SP 800-38D §5.2.1.2): no truncation.
 * - The additional authenticated data names the row (see `signingKeyAad`): a blob copied onto
 *   another row fails to open, so an attacker who can write the table cannot make the service
 *   sign with a key of their choosing under a kid of their choosing.
 * - The master key id says which key of KEYS_ENCRYPTION_KEY opens the envelope, so the master
 *   key can be rotated: new keys are sealed under the first one, every listed one opens, and
 *   `authctl keys reseal` moves every row to the first.
 */
export const SEAL_VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A master key id: given (`id:key`) or derived; never contains the envelope's `.`. */
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/** Why a value could not be sealed or opened; the message never holds key material. */
export class SealError extends Error {
  override name = 'SealError';
}

/** Hex (64 characters), or base64 / base64url (with or without padding) of 32 bytes. */
function decodeKey(text: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    throw new SealError('each key must be 32 bytes: 64 hex characters or base64/base64url');
  }
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== KEY_BYTES) throw new SealError('each key must be 32 bytes');
  return bytes;
}

/**
 * A derived master key id: 8 bytes of SHA-256 over a label and the key. Publishing it costs
 * nothing (the key is 256 random bits, no search can invert it); it only lets an operator see
 * which key sealed a row.
 */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256')
    .update('propusk keys-encryption-key id\0')
    .update(key)
    .digest()
    .subarray(0, 8)
    .toString('base64url');
}

/**
 * KEYS_ENCRYPTION_KEY: `[id:]key[,[id:]key…]`. The first key seals; every key opens. Throws
 * a SealError saying what is wrong, never repeating the value.
 */
export function parseMasterKeys(value: string): MasterKey[] {
  const keys = value.split(',').map((item, i): MasterKey => {
    const at = item.indexOf(':');
    const key = decodeKey(at === -1 ? item : item.slice(at + 1));
    const id = at === -1 ? masterKeyId(key) : item.slice(0, at);
    if (!KEY_ID.test(id)) throw new SealError(`key ${i + 1}: an id is 1–32 of A-Z a-z 0-9 _ -`);
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new SealError('two keys have one id');
  return keys;
}

export interface Sealer {
  /** The id of the master key that seals (the first one). */
  readonly sealingId: string;
  seal(plaintext: string, aad: string): string;
  /** The plaintext; throws a SealError for a tampered envelope, a wrong key or a wrong AAD. */
  open(envelope: string, aad: string): string;
  /** The master key id an envelope names, or undefined when the value is no envelope. */
  sealedUnder(value: string): string | undefined;
}

interface Envelope {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function parseEnvelope(value: string): Envelope | undefined {
  const parts = value.split('.');
  if (parts.length !== 4 || parts[0] !== SEAL_VERSION) return undefined;
  const [, keyId, iv, body] = parts as [string, string, string, string];
  if (!KEY_ID.test(keyId) || !B64URL.test(iv) || !B64URL.test(body)) return undefined;
  const ivBytes = Buffer.from(iv, 'base64url');
  const bodyBytes = Buffer.from(body, 'base64url');
  if (ivBytes.length !== IV_BYTES || bodyBytes.length < TAG_BYTES) return undefined;
  return {
    keyId,
    iv: ivBytes,
    ciphertext: bodyBytes.subarray(0, bodyBytes.length - TAG_BYTES),
    tag: bodyBytes.subarray(bodyBytes.length - TAG_BYTES),
  };
}

/** Whether `value` has the shape of a sealed envelope (says nothing of whether it opens). */
export function isSealed(value: string): boolean {
  return parseEnvelope(value) !== undefined;
}

export function createSealer(masterKeys: readonly MasterKey[]): Sealer {
  const first = masterKeys[0];
  if (!first) throw new SealError('no master key');
  const byId = new Map(masterKeys.map((k) => [k.id, k.key]));

  function seal(plaintext: string, aad: string): string {
    // A fresh random IV per envelope: GCM's security rests on never reusing (key, IV).
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, first!.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const body = Buffer.concat([ciphertext, cipher.getAuthTag()]);
    return [SEAL_VERSION, first!.id, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  function open(value: string, aad: string): string {
    const envelope = parseEnvelope(value);
    if (!envelope) throw new SealError('not a sealed envelope');
    const key = byId.get(envelope.keyId);
    if (!key)
      throw new SealError(`sealed under master key ${envelope.keyId}, which KEYS_ENCRYPTION_KEY lacks`);
    const decipher = createDecipheriv(ALGORITHM, key, envelope.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(envelope.tag);
    try {
      // final() checks the tag (SP 800-38D §7.2 step 10): nothing is answered unless it matches.
      return Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SealError(`the envelope does not open under master key ${envelope.keyId}`);
    }
  }

  return {
    sealingId: first.id,
    seal,
    open,
    sealedUnder: (value) => parseEnvelope(value)?.keyId,
  };
}

/** The AAD of a signing key's envelope: binds it to its row (the kid is the primary key). */
export function signingKeyAad(kid: string): string {
  return `propusk signing_keys ${kid}`;
}
