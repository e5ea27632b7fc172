import t from 'tap';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@propusk/kit';
import { resolveKeysEncryption } from '../src/keys/encryption-key.js';
import {
  createSealer,
  isSealed,
  masterKeyId,
  parseMasterKeys,
  SealError,
  signingKeyAad,
} from '../src/keys/seal.js';
import { TOKEN_SETTINGS } from '../src/settings.js';

/** Sealing private signing keys: AES-256-GCM envelopes (NIST SP 800-38D), unit level. */
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const SECRET = '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}';
const AAD = signingKeyAad('kid-1');

/** Flips one bit of the envelope part `index` (1 key id, 2 IV, 3 ciphertext ‖ tag). */
function flip(envelope: string, index: number, at = 0): string {
  const parts = envelope.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[at] = bytes[at]! ^ 1;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

t.test('seal then open gives the plaintext back; nothing of it shows', async (t) => {
  const sealer = createSealer([{ id: 'a', key: keyA }]);
  const envelope = sealer.seal(SECRET, AAD);
  t.match(envelope, /^v1\.a\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/, 'v1.<key id>.<12-byte IV>.<body>');
  t.equal(
    Buffer.from(envelope.split('.')[3]!, 'base64url').length,
    Buffer.byteLength(SECRET) + 16,
    '16-byte tag',
  );
  t.equal(sealer.open(envelope, AAD), SECRET);
  t.notMatch(envelope, /kty|"k"|c2VjcmV0/, 'no plaintext in the envelope');
  t.not(sealer.seal(SECRET, AAD), envelope, 'a fresh IV each time');
  t.ok(isSealed(envelope));
  t.notOk(isSealed(SECRET), 'a JWK is no envelope');
  t.equal(sealer.sealedUnder(envelope), 'a');
  t.equal(sealer.sealedUnder(SECRET), undefined);
});

t.test('a tampered envelope does not open', async (t) => {
  const sealer = createSealer([{ id: 'a', key: keyA }]);
  const envelope = sealer.seal(SECRET, AAD);
  t.throws(() => sealer.open(flip(envelope, 2), AAD), SealError, 'IV');
  t.throws(() => sealer.open(flip(envelope, 3), AAD), SealError, 'ciphertext');
  const bodyLength = Buffer.from(envelope.split('.')[3]!, 'base64url').length;
  t.throws(() => sealer.open(flip(envelope, 3, bodyLength - 1), AAD), SealError, 'tag');
  const parts = envelope.split('.');
  const truncated = [
    ...parts.slice(0, 3),
    Buffer.from(parts[3]!, 'base64url').subarray(0, 20).toString('base64url'),
  ];
  t.throws(() => sealer.open(truncated.join('.'), AAD), SealError, 'truncated');
  t.throws(() => sealer.open(envelope.replace(/^v1/, 'v2'), AAD), SealError, 'unknown version');
  t.throws(() => sealer.open(SECRET, AAD), /not a sealed envelope/);
});

t.test('the wrong master key or the wrong AAD does not open it', async (t) => {
  const a = createSealer([{ id: 'a', key: keyA }]);
  const envelope = a.seal(SECRET, AAD);
  const impostor = createSealer([{ id: 'a', key: keyB }]);
  t.throws(() => impostor.open(envelope, AAD), /does not open under master key a/, 'same id, other key');
  const other = createSealer([{ id: 'b', key: keyB }]);
  t.throws(() => other.open(envelope, AAD), /master key a, which KEYS_ENCRYPTION_KEY lacks/);
  t.throws(() => a.open(envelope, signingKeyAad('kid-2')), SealError, 'moved onto another row');
  for (const err of [() => impostor.open(envelope, AAD), () => a.open(envelope, signingKeyAad('kid-2'))]) {
    try {
      err();
    } catch (e) {
      t.notMatch((e as Error).message, keyA.toString('hex'), 'no key material in the error');
    }
  }
});

t.test('rotation: the first key seals, every key opens', async (t) => {
  const old = createSealer([{ id: 'old', key: keyA }]);
  const sealedOld = old.seal(SECRET, AAD);
  const both = createSealer([
    { id: 'new', key: keyB },
    { id: 'old', key: keyA },
  ]);
  t.equal(both.sealingId, 'new');
  t.equal(both.open(sealedOld, AAD), SECRET, 'the old key still opens');
  const sealedNew = both.seal(SECRET, AAD);
  t.equal(both.sealedUnder(sealedNew), 'new');
  const newOnly = createSealer([{ id: 'new', key: keyB }]);
  t.equal(newOnly.open(sealedNew, AAD), SECRET, 'after resealing, the old key can go');
  t.throws(() => newOnly.open(sealedOld, AAD), /lacks/);
});

t.test('KEYS_ENCRYPTION_KEY: hex, base64, base64url, ids, lists', async (t) => {
  t.same(parseMasterKeys(keyA.toString('hex')), [{ id: masterKeyId(keyA), key: keyA }], 'hex, derived id');
  t.same(parseMasterKeys(keyA.toString('base64'))[0]!.key, keyA, 'base64 with padding');
  t.same(parseMasterKeys(keyA.toString('base64').replace(/=$/, ''))[0]!.key, keyA, 'base64 without padding');
  t.same(parseMasterKeys(keyA.toString('base64url'))[0]!.key, keyA, 'base64url');
  const list = parseMasterKeys(`k2:${keyB.toString('base64url')},k1:${keyA.toString('hex')}`);
  t.same(
    list.map((k) => k.id),
    ['k2', 'k1'],
  );
  t.match(masterKeyId(keyA), /^[A-Za-z0-9_-]{11}$/);
  t.not(masterKeyId(keyA), masterKeyId(keyB));
  const bad: Array<[string, string]> = [
    ['not a key', 'short'],
    ['16 bytes of hex', randomBytes(16).toString('hex')],
    ['31 bytes of base64', randomBytes(31).toString('base64')],
    ['an id with a dot', `bad.id:${keyA.toString('hex')}`],
    ['one id twice', `a:${keyA.toString('hex')},a:${keyB.toString('hex')}`],
    ['an empty item', `${keyA.toString('hex')},`],
  ];
  for (const [label, value] of bad) t.throws(() => parseMasterKeys(value), SealError, label);
});

t.test('the setting: validated once, never echoed; required in production', async (t) => {
  const spec = { KEYS_ENCRYPTION_KEY: TOKEN_SETTINGS.KEYS_ENCRYPTION_KEY };
  const good = `main:${keyA.toString('hex')}`;
  t.equal(loadConfig(spec, { KEYS_ENCRYPTION_KEY: good }).KEYS_ENCRYPTION_KEY, good);
  const bad = 'x'.repeat(40);
  t.throws(() => loadConfig(spec, { KEYS_ENCRYPTION_KEY: bad }), ConfigError);
  try {
    loadConfig(spec, { KEYS_ENCRYPTION_KEY: bad });
  } catch (err) {
    t.notMatch((err as Error).message, bad, 'the value is not repeated');
  }
  t.equal(TOKEN_SETTINGS.KEYS_ENCRYPTION_KEY.secret, true);

  t.throws(
    () => resolveKeysEncryption({ NODE_ENV: 'production' }),
    /KEYS_ENCRYPTION_KEY is required in production/,
  );
  const prod = resolveKeysEncryption({ KEYS_ENCRYPTION_KEY: good, NODE_ENV: 'production' });
  t.equal(prod.development, false);
  t.equal(prod.sealer.sealingId, 'main');
  const dev = resolveKeysEncryption({ NODE_ENV: 'development' });
  t.equal(dev.development, true, 'development derives one (and the caller logs it)');
  t.equal(
    dev.sealer.open(resolveKeysEncryption({ NODE_ENV: 'test' }).sealer.seal(SECRET, AAD), AAD),
    SECRET,
    'every development process derives the same key',
  );
});
