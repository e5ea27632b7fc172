/**
 * How strong a configured client secret is. A client secret is a machine credential, guessed
 * online at /oauth2/introspect and /oauth2/revoke: it must hold at least 128 bits of entropy
 * (RFC 6749 §10.10: the probability of guessing generated credentials "MUST be less than or equal
 * to 2^(-128) and SHOULD be less than or equal to 2^(-160)").
 * A string does not tell how it was made, so the entropy is estimated from the characters, on
 * the low side: the size of the alphabet a generator would draw them from, times the characters
 * that do not merely repeat or continue what came before, scaled down when the characters are
 * less varied than random draws are. 32 random bytes (`openssl rand -hex 32`, 64 hex characters;
 * or 43 base64url characters) always pass; 16 random bytes are exactly 128 bits and leave no
 * margin, so the estimate refuses them now and then. A phrase of words is not recognised as
 * such: secrets are to be generated, never made up (README, docs/SECURITY.md "Known limits").
 */
export const MIN_SECRET_BITS = 128;

/** What the refusal tells the operator to do: a secret only of characters the setting takes. */
export const SECRET_ADVICE =
  'make one with `openssl rand -hex 32` (64 hex characters, 256 bits), or 32 random bytes in base64url';

/** A run of one step (aaaaa, 01234, edcba) counts from its fifth character on as nothing. */
const RUN = 5;
/** A block of this many characters or more seen before counts as nothing. */
const REPEAT = 6;
/**
 * Random draws of n characters from an alphabet of k reach a Shannon entropy of their own
 * frequencies above this share of log2(min(k, n)) (simulated: 16 to 43 characters, hex and
 * base64url, the lowest of 10⁵ draws about 0.72); below it the estimate shrinks with it.
 */
const RANDOM_VARIETY = 0.7;

/** The alphabet a generator would draw the secret from: hex, else the character classes it uses. */
function alphabetSize(secret: string): number {
  if (/^[0-9a-f]+$/.test(secret) || /^[0-9A-F]+$/.test(secret)) return 16;
  let size = 0;
  if (/[a-z]/.test(secret)) size += 26;
  if (/[A-Z]/.test(secret)) size += 26;
  if (/[0-9]/.test(secret)) size += 10;
  // RFC 3986 §2.3's other unreserved characters: - . _ ~ (all the setting takes besides).
  if (/[^A-Za-z0-9]/.test(secret)) size += 4;
  return size;
}

/** The longest block starting at `i` that already occurred before `i` (LZ77-style). */
function repeatAt(chars: readonly string[], i: number): number {
  let best = 0;
  for (let j = 0; j < i; j++) {
    let length = 0;
    while (i + length < chars.length && chars[j + length] === chars[i + length]) length++;
    best = Math.max(best, length);
  }
  return best;
}

/** True when `codes[i]` is at least the RUN-th character of a run of one step of -1, 0 or +1. */
function continuesRun(codes: readonly number[], i: number): boolean {
  if (i < RUN - 1) return false;
  const step = (codes[i] as number) - (codes[i - 1] as number);
  if (Math.abs(step) > 1) return false;
  for (let back = 1; back < RUN - 1; back++)
    if ((codes[i - back] as number) - (codes[i - back - 1] as number) !== step) return false;
  return true;
}

/** The characters that count: those that neither repeat an earlier block nor continue a run. */
function countingLength(chars: readonly string[]): number {
  const codes = chars.map((c) => c.codePointAt(0) as number);
  let counting = 0;
  for (let i = 0; i < chars.length;) {
    const repeat = repeatAt(chars, i);
    if (repeat >= REPEAT) {
      i += repeat;
      continue;
    }
    if (!continuesRun(codes, i)) counting++;
    i++;
  }
  return counting;
}

/** Shannon entropy (bits per character) of the secret's own character frequencies. */
function frequencyEntropy(chars: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / chars.length) * Math.log2(n / chars.length);
  return bits;
}

/** The estimated entropy of a secret in whole bits (low side; see above). */
export function estimateSecretBits(secret: string): number {
  const chars = [...secret];
  if (chars.length < 2) return 0;
  const k = alphabetSize(secret);
  const variety = frequencyEntropy(chars) / Math.log2(Math.min(k, chars.length));
  const perChar = Math.log2(k) * Math.min(1, variety / RANDOM_VARIETY);
  return Math.floor(countingLength(chars) * perChar);
}

/**
 * Why a client's secret is refused, or undefined when it is strong enough. The reason names the
 * client id and the estimate, never the secret (the setting is secret: kit's config.ts).
 */
export function weakSecretReason(id: string, secret: string): string | undefined {
  const bits = estimateSecretBits(secret);
  if (bits >= MIN_SECRET_BITS) return undefined;
  return `holds a weak secret for the client ${id} (about ${bits} bits of entropy; at least ${MIN_SECRET_BITS} are needed): ${SECRET_ADVICE}`;
}
