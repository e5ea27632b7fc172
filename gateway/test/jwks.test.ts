import t from 'tap';
import { exportJWK, generateSecret } from 'jose';
import { PropuskError } from '@propusk/contracts';
import { createKeySet, type JwksSource } from '../src/auth/jwks.js';
import { AuthError } from '../src/auth/errors.js';
import { makeKey, silentLog } from './fixtures/jwt.js';

function countingSource(keys: () => Array<Record<string, unknown>>) {
  let calls = 0;
  const source: JwksSource = async () => {
    calls++;
    return { keys: keys() };
  };
  return { source, calls: () => calls };
}

t.test('loads keys by kid, each pinned to its own alg', async (t) => {
  const k1 = await makeKey('k1');
  const k2 = await makeKey('k2', 'ES256');
  const src = countingSource(() => [k1.publicJwk, k2.publicJwk] as Array<Record<string, unknown>>);
  const set = createKeySet({ source: src.source, log: silentLog });
  t.match(await set.find('k1'), { kid: 'k1', alg: 'RS256' });
  t.match(await set.find('k2'), { kid: 'k2', alg: 'ES256' });
  t.equal(src.calls(), 1, 'one load serves both');
});

t.test(
  'skips keys that must never verify: symmetric, no kid, no alg, alg none, encryption keys',
  async (t) => {
    const good = await makeKey('good');
    const secret = await exportJWK(await generateSecret('HS256', { extractable: true }));
    const src = countingSource(() => [
      { ...secret, kid: 'hmac', alg: 'HS256' },
      { ...good.publicJwk, kid: undefined },
      { ...good.publicJwk, kid: 'noalg', alg: undefined },
      { ...good.publicJwk, kid: 'none', alg: 'none' },
      { ...good.publicJwk, kid: 'enc', use: 'enc' },
      { ...good.publicJwk, kid: 'mismatch', alg: 'ES256' },
      good.publicJwk as Record<string, unknown>,
    ]);
    const set = createKeySet({ source: src.source, log: silentLog, minRefreshMs: 60_000 });
    t.ok(await set.find('good'));
    for (const kid of ['hmac', 'noalg', 'none', 'enc', 'mismatch'])
      t.equal(await set.find(kid), undefined, kid);
  },
);

t.test('private members in a published JWK are ignored: only the public key is imported', async (t) => {
  const key = await makeKey('p');
  const priv = await exportJWK(key.privateKey);
  const set = createKeySet({
    source: async () => ({ keys: [{ ...priv, kid: 'p', alg: 'RS256' }] }),
    log: silentLog,
  });
  const found = await set.find('p');
  t.equal(found?.key.type, 'public');
});

t.test('an unknown kid refreshes at most once per minRefreshMs', async (t) => {
  let now = 0;
  let published: Array<Record<string, unknown>> = [];
  const src = countingSource(() => published);
  const set = createKeySet({ source: src.source, log: silentLog, minRefreshMs: 5000, now: () => now });
  t.equal(await set.find('x'), undefined);
  t.equal(src.calls(), 1);
  for (let i = 0; i < 20; i++) t.equal(await set.find(`forged-${i}`), undefined);
  t.equal(src.calls(), 1, 'forged kids do not trigger loads');
  const rotated = await makeKey('rotated');
  published = [rotated.publicJwk as Record<string, unknown>];
  now += 5000;
  t.ok(await set.find('rotated'), 'a new key is found after the throttle window');
  t.equal(src.calls(), 2);
});

t.test('concurrent refreshes share one load', async (t) => {
  const k = await makeKey('k');
  const src = countingSource(() => [k.publicJwk as Record<string, unknown>]);
  const set = createKeySet({ source: src.source, log: silentLog });
  await Promise.all([set.find('k'), set.find('k'), set.find('k')]);
  t.equal(src.calls(), 1);
});

t.test('no key set at all (token service unreachable): unavailable, never a pass', async (t) => {
  const set = createKeySet({
    source: async () => {
      throw new PropuskError('unavailable', 'no token service is answering');
    },
    log: silentLog,
  });
  const err = await set.find('k').catch((e: unknown) => e);
  t.ok(err instanceof AuthError);
  t.equal((err as AuthError).reason, 'unavailable');
});

t.test('start/stop refresh periodically', async (t) => {
  const k = await makeKey('k');
  const src = countingSource(() => [k.publicJwk as Record<string, unknown>]);
  const set = createKeySet({ source: src.source, log: silentLog, refreshMs: 20 });
  set.start();
  await new Promise((r) => setTimeout(r, 110));
  set.stop();
  const calls = src.calls();
  t.ok(calls >= 3, `refreshed ${calls} times`);
  await new Promise((r) => setTimeout(r, 60));
  t.equal(src.calls(), calls, 'stopped');
});
