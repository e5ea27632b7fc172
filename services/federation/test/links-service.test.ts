// State and PKCE bookkeeping (links/service.ts) with an in-memory store and a fake clock:
// fresh unguessable states, S256 challenges, single use, expiry, provider binding.
import t from 'tap';
import { isValidVerifier, s256 } from '@propusk/stand-ins';
import { PropuskError } from '@propusk/contracts';
import { secretId } from '../src/links/pkce.js';
import { createLinkService } from '../src/links/service.js';
import { fakeClock, memoryLinkStore } from './fixtures/memory-store.js';

const TTLS = { stateS: 600, codeS: 300 };

function setup() {
  const clock = fakeClock();
  const store = memoryLinkStore(clock);
  const links = createLinkService({ store, ttls: TTLS });
  return { clock, store, links };
}

const refusedWith = (code: string) => ({ name: 'PropuskError', code });

/** A browser binding as /link hands it out, and the hash a code record keeps of it. */
const BROWSER = 'b'.repeat(43);
const BROWSER_ID = secretId(BROWSER);

t.test('open: a fresh 256-bit state and an S256 challenge of a stored RFC 7636 verifier', async (t) => {
  const { store, links } = setup();
  const a = await links.open('vk');
  const b = await links.open('vk');
  t.match(a.state, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  t.not(a.state, b.state);
  t.not(a.codeChallenge, b.codeChallenge);
  t.equal(store.states.size, 2);
  for (const [id, entry] of store.states) {
    t.not(id, a.state, 'the key is not the state itself');
    t.not(id, b.state);
    t.ok(isValidVerifier(entry.value.verifier), 'verifier: 43–128 unreserved characters');
    t.equal(entry.value.provider, 'vk');
  }
  const { verifier } = await links.consumeState('vk', a.state, a.binding);
  t.equal(s256(verifier), a.codeChallenge, 'challenge = BASE64URL(SHA256(verifier))');
});

t.test('a state is single use', async (t) => {
  const { links } = setup();
  const { state, binding } = await links.open('yandex');
  t.ok((await links.consumeState('yandex', state, binding)).verifier);
  await t.rejects(links.consumeState('yandex', state, binding), refusedWith('oauth_state_invalid'));
});

t.test('a state expires after OAUTH_STATE_TTL_S', async (t) => {
  const { clock, links } = setup();
  const early = await links.open('mailru');
  const late = await links.open('mailru');
  clock.advance(TTLS.stateS * 1000 - 1);
  t.ok(await links.consumeState('mailru', early.state, early.binding), 'usable until the last millisecond');
  clock.advance(1);
  await t.rejects(links.consumeState('mailru', late.state, late.binding), refusedWith('oauth_state_invalid'));
});

t.test("another provider's state is refused, and spent", async (t) => {
  const { links } = setup();
  const { state, binding } = await links.open('vk');
  const err = await links.consumeState('yandex', state, binding).catch((e: unknown) => e);
  t.ok(err instanceof PropuskError);
  t.match(err, { code: 'oauth_state_invalid', status: 400 });
  await t.rejects(links.consumeState('vk', state, binding), refusedWith('oauth_state_invalid'));
});

t.test('unknown states are refused', async (t) => {
  const { links } = setup();
  const { binding } = await links.open('vk');
  for (const state of ['', 'x', 'A'.repeat(43)]) {
    await t.rejects(
      links.consumeState('vk', state, binding),
      refusedWith('oauth_state_invalid'),
      JSON.stringify(state),
    );
  }
});

t.test('a code is bound to its verifier once, redeemed once, for its provider only', async (t) => {
  const { store, links } = setup();
  await links.bindCode('vk', 'code-1', { verifier: 'v1', state: 's1', browser: BROWSER_ID, deviceId: 'd1' });
  t.notOk([...store.codes.keys()].includes('code-1'), 'the key is not the code itself');
  await t.rejects(
    links.bindCode('vk', 'code-1', { verifier: 'v2', state: 's2', browser: BROWSER_ID }),
    refusedWith('oauth_code_invalid'),
    'a code that came back twice keeps its first binding',
  );
  t.same(await links.redeemCode('vk', 'code-1', BROWSER), {
    provider: 'vk',
    verifier: 'v1',
    state: 's1',
    browser: BROWSER_ID,
    deviceId: 'd1',
  });
  await t.rejects(links.redeemCode('vk', 'code-1', BROWSER), refusedWith('oauth_code_invalid'), 'single use');

  await links.bindCode('mailru', 'code-2', { verifier: 'v', state: 's', browser: BROWSER_ID });
  await t.rejects(
    links.redeemCode('yandex', 'code-2', BROWSER),
    refusedWith('oauth_code_invalid'),
    'another provider',
  );
  await t.rejects(
    links.redeemCode('mailru', 'code-2', BROWSER),
    refusedWith('oauth_code_invalid'),
    'spent by the attempt',
  );
  await t.rejects(links.redeemCode('mailru', 'never-bound', BROWSER), refusedWith('oauth_code_invalid'));
});

t.test('a code binding expires after OAUTH_CODE_TTL_S', async (t) => {
  const { clock, links } = setup();
  await links.bindCode('yandex', 'early', { verifier: 'v', state: 's', browser: BROWSER_ID });
  await links.bindCode('yandex', 'late', { verifier: 'v', state: 's', browser: BROWSER_ID });
  clock.advance(TTLS.codeS * 1000 - 1);
  t.ok(await links.redeemCode('yandex', 'early', BROWSER));
  clock.advance(1);
  await t.rejects(links.redeemCode('yandex', 'late', BROWSER), refusedWith('oauth_code_invalid'));
});

t.test('a failing store is reported as such, not as a bad state or code', async (t) => {
  const { store, links } = setup();
  const { state, binding } = await links.open('vk');
  store.failing = true;
  await t.rejects(links.open('vk'), { message: 'store down' });
  await t.rejects(links.consumeState('vk', state, binding), { message: 'store down' });
  await t.rejects(links.redeemCode('vk', 'c', binding), { message: 'store down' });
  store.failing = false;
  t.ok(await links.consumeState('vk', state, binding), 'the state survived the outage');
});

t.test('open: a fresh browser binding per link, stored only as its hash', async (t) => {
  const { store, links } = setup();
  const a = await links.open('vk');
  const b = await links.open('vk');
  t.match(a.binding, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  t.not(a.binding, b.binding);
  const stored = [...store.states.values()].map((e) => e.value.browser).sort();
  t.same(stored, [secretId(a.binding), secretId(b.binding)].sort(), 'the hashes of the bindings');
  t.notOk(stored.includes(a.binding) || stored.includes(b.binding), 'never the binding itself');
  t.equal((await links.consumeState('vk', a.state, a.binding)).browser, secretId(a.binding));
});

t.test(
  "a state without its browser's binding is refused, and left for that browser (RFC 9700 §4.7.1)",
  async (t) => {
    const { links } = setup();
    const { state, binding } = await links.open('yandex');
    for (const other of [undefined, '', 'c'.repeat(43)]) {
      await t.rejects(
        links.consumeState('yandex', state, other),
        refusedWith('oauth_state_invalid'),
        `binding ${JSON.stringify(other)}`,
      );
    }
    await t.rejects(
      links.consumeState('vk', state, undefined),
      refusedWith('oauth_state_invalid'),
      'nor spent at another provider by a stranger',
    );
    t.ok(await links.consumeState('yandex', state, binding), 'the right browser still can');
    await t.rejects(links.consumeState('yandex', state, binding), refusedWith('oauth_state_invalid'), 'once');
  },
);

t.test(
  "a code without its browser's binding is refused, and left for that browser (RFC 9700 §4.5)",
  async (t) => {
    const { links } = setup();
    await links.bindCode('mailru', 'code-x', { verifier: 'v', state: 's', browser: BROWSER_ID });
    for (const other of [undefined, '', 'c'.repeat(43)]) {
      await t.rejects(
        links.redeemCode('mailru', 'code-x', other),
        refusedWith('oauth_code_invalid'),
        `binding ${JSON.stringify(other)}`,
      );
    }
    t.ok(await links.redeemCode('mailru', 'code-x', BROWSER), 'the right browser still can');
    await t.rejects(links.redeemCode('mailru', 'code-x', BROWSER), refusedWith('oauth_code_invalid'), 'once');
  },
);
