import { createHmac, randomInt } from 'node:crypto';
import type { ChannelId, CodePurpose } from '@propusk/contracts';

/** Codes are six decimal digits (contracts: `code` matches ^[0-9]{6}$; document 000's example 588227). */
export const CODE_DIGITS = 6;
const CODE_SPACE = 10 ** CODE_DIGITS;

/**
 * The cryptography of one-time codes. Codes come from the CSPRNG (`crypto.randomInt`, uniform
 * without modulo bias). Redis only ever holds HMAC-SHA256 values keyed with CODE_HMAC_KEY:
 * a copy of Redis gives neither the codes (a plain hash of a six-digit code is reversed by
 * trying all million) nor the subjects' e-mail addresses and phones in key names.
 */
export interface CodeService {
  /** A fresh code, zero-padded: "004217". */
  generate(): string;
  /** The stored form of a code: bound to its purpose and subject, so it proves nothing else. */
  digest(purpose: CodePurpose, subject: string, code: string): string;
  /** The index form of a code for purposes checked by the code alone: bound to the purpose. */
  lookupDigest(purpose: CodePurpose, code: string): string;
  /** An opaque id of a subject, for key names. */
  subjectId(subject: string): string;
  /** An opaque id of a destination (channel + address), for the per-destination send limit. */
  destinationId(channel: ChannelId, to: string): string;
}

export function createCodeService(deps: { hmacKey: string }): CodeService {
  // Parts are joined with NUL, which none of them can hold, so no two inputs share a message.
  const mac = (...parts: string[]) =>
    createHmac('sha256', deps.hmacKey).update(parts.join('\0')).digest('base64url');
  return {
    generate: () => randomInt(0, CODE_SPACE).toString().padStart(CODE_DIGITS, '0'),
    digest: (purpose, subject, code) => mac('code', purpose, subject, code),
    lookupDigest: (purpose, code) => mac('lookup', purpose, code),
    subjectId: (subject) => mac('subject', subject),
    destinationId: (channel, to) => mac('destination', channel, to),
  };
}
