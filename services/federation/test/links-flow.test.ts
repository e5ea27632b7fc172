// The link flow (links/flow.ts) with fake providers and an in-memory store: what each step
// hands the provider, denials, missing parameters, VK's device_id, unconfigured providers.
import t from 'tap';
import { s256 } from '@propusk/stand-ins';
import { createLinkFlow, type OpenedFlow } from '../src/links/flow.js';
import { createLinkService } from '../src/links/service.js';
import { providerRegistry } from '../src/providers/registry.js';
import { fakeProvider } from './fixtures/fake-provider.js';
import { fakeClock, memoryLinkStore } from './fixtures/memory-store.js';

function setup() {
  const store = memoryLinkStore(fakeClock());
  const vk = fakeProvider('vk');
  const yandex = fakeProvider('yandex');
  const links = createLinkService({ store, ttls: { stateS: 600, codeS: 600 } });
  const flow = createLinkFlow({
    providers: providerRegistry([vk, yandex]),
    links,
    redirectUri: (id) => `https://auth.test/${id}/callback`,
  });
  return { store, vk, yandex, flow };
}

/** The state and challenge a link carries, and the binding its browser got. */
function linkParams(opened: OpenedFlow) {
  const params = new URL(opened.authorizeUrl).searchParams;
  return {
    state: params.get('state') ?? '',
    challenge: params.get('code_challenge') ?? '',
    binding: opened.binding,
  };
}

const refused = (code: string, status: number, detail?: RegExp) => ({
  name: 'PropuskError',
  code,
  status,
  ...(detail ? { message: detail } : {}),
});

t.test(
  'link → callback → token: the exchange gets the verifier of the link, the redirect URI, the state',
  async (t) => {
    const { vk, flow } = setup();
    const opened = await flow.link('vk');
    const { state, challenge, binding } = linkParams(opened);
    t.equal(new URL(opened.authorizeUrl).searchParams.get('redirect_uri'), 'https://auth.test/vk/callback');
    t.match(binding, /^[A-Za-z0-9_-]{43}$/, 'a binding for the browser');
    t.same(await flow.callback('vk', { code: 'c1', state, deviceId: 'dev-1', binding }), {
      code: 'c1',
      deviceId: 'dev-1',
    });
    t.same(await flow.token('vk', { code: 'c1', binding }), {
      access_token: 'at-c1',
      refresh_token: 'rt-c1',
      expire_in: 3600,
    });
    const exchange = vk.exchanges[0];
    t.equal(s256(exchange?.codeVerifier ?? ''), challenge, 'the verifier behind the challenge');
    t.match(exchange, { code: 'c1', redirectUri: 'https://auth.test/vk/callback', deviceId: 'dev-1', state });
    await t.rejects(
      flow.token('vk', { code: 'c1', binding }),
      refused('oauth_code_invalid', 400),
      'single use',
    );
  },
);

t.test('the callback of a provider without device_id answers the code only', async (t) => {
  const { yandex, flow } = setup();
  const { state, binding } = linkParams(await flow.link('yandex'));
  t.same(await flow.callback('yandex', { code: 'y1', state, deviceId: 'ignored', binding }), {
    code: 'y1',
  });
  await flow.token('yandex', { code: 'y1', binding });
  t.equal(yandex.exchanges[0]?.deviceId, undefined);
});

t.test('callback: state checked before the code; a missing code still spends the state', async (t) => {
  const { flow } = setup();
  await t.rejects(flow.callback('vk', { code: 'c' }), refused('invalid_request', 400, /^state is required$/));
  await t.rejects(flow.callback('vk', { code: 'c', state: 'forged' }), refused('oauth_state_invalid', 400));
  const { state, binding } = linkParams(await flow.link('vk'));
  await t.rejects(
    flow.callback('vk', { state, binding }),
    refused('invalid_request', 400, /^code is required$/),
  );
  await t.rejects(flow.callback('vk', { code: 'c', state, binding }), refused('oauth_state_invalid', 400));
});

t.test("callback: another provider's state is refused", async (t) => {
  const { flow } = setup();
  const { state, binding } = linkParams(await flow.link('vk'));
  await t.rejects(
    flow.callback('yandex', { code: 'c', state, binding }),
    refused('oauth_state_invalid', 400),
  );
  await t.rejects(
    flow.callback('vk', { code: 'c', state, binding }),
    refused('oauth_state_invalid', 400),
    'and spent',
  );
});

t.test("callback with the provider's error: 400 with its description; the state is spent", async (t) => {
  const { flow } = setup();
  const { state, binding } = linkParams(await flow.link('vk'));
  await t.rejects(
    flow.callback('vk', { error: 'access_denied', errorDescription: 'User denied access', state, binding }),
    refused('provider_denied', 400, /^VK ID did not authorize the sign-in: User denied access$/),
  );
  await t.rejects(flow.callback('vk', { code: 'c', state, binding }), refused('oauth_state_invalid', 400));
  await t.rejects(
    flow.callback('yandex', { error: 'access_denied' }),
    refused('provider_denied', 400, /: access_denied$/),
    'no description: the error name; no state: still a denial',
  );
  await t.rejects(
    flow.callback('yandex', { error: 'x', errorDescription: `line\r\nInjected: ${'a'.repeat(500)}` }),
    refused('provider_denied', 400, /^Yandex did not authorize the sign-in: line Injected: a{185}$/),
    'control characters dropped, bounded',
  );
});

t.test("token: VK's device_id comes from the callback; a different one is refused", async (t) => {
  const { vk, flow } = setup();
  const bind = async (code: string, deviceId?: string) => {
    const { state, binding } = linkParams(await flow.link('vk'));
    await flow.callback('vk', { code, state, deviceId, binding });
    return binding;
  };
  let binding = await bind('same', 'dev');
  t.ok(await flow.token('vk', { code: 'same', deviceId: 'dev', binding }), 'the same device_id is fine');
  binding = await bind('other', 'dev');
  await t.rejects(
    flow.token('vk', { code: 'other', deviceId: 'not-dev', binding }),
    refused('invalid_request', 400, /^device_id does not match/),
  );
  binding = await bind('none');
  t.ok(
    await flow.token('vk', { code: 'none', deviceId: 'given', binding }),
    "the client's when the callback had none",
  );
  t.equal(vk.exchanges.at(-1)?.deviceId, 'given');
  binding = await bind('neither');
  await t.rejects(
    flow.token('vk', { code: 'neither', binding }),
    refused('invalid_request', 400, /^device_id is required$/),
  );
  await t.rejects(flow.token('vk', {}), refused('invalid_request', 400, /^code is required$/));
});

t.test(
  "callback and token: another browser's binding (or none) is refused, the right browser goes on",
  async (t) => {
    const { vk, flow } = setup();
    const { state, binding } = linkParams(await flow.link('vk'));
    for (const other of [undefined, 'x'.repeat(43)]) {
      await t.rejects(
        flow.callback('vk', { code: 'c', state, deviceId: 'd', binding: other }),
        refused('oauth_state_invalid', 400),
        `callback with binding ${JSON.stringify(other)}`,
      );
    }
    t.same(await flow.callback('vk', { code: 'c', state, deviceId: 'd', binding }), {
      code: 'c',
      deviceId: 'd',
    });
    for (const other of [undefined, 'x'.repeat(43)]) {
      await t.rejects(
        flow.token('vk', { code: 'c', binding: other }),
        refused('oauth_code_invalid', 400),
        `token with binding ${JSON.stringify(other)}`,
      );
    }
    t.equal(vk.exchanges.length, 0, 'the provider never saw the code for another browser');
    t.ok(await flow.token('vk', { code: 'c', binding }), 'the browser that opened the link');
    t.equal(vk.exchanges.length, 1);
  },
);

t.test('a provider without a client id: every step answers provider_not_configured (404)', async (t) => {
  const { store, flow } = setup();
  await t.rejects(
    flow.link('mailru'),
    refused('provider_not_configured', 404, /^Mail\.ru sign-in is not configured$/),
  );
  await t.rejects(
    flow.callback('mailru', { code: 'c', state: 's' }),
    refused('provider_not_configured', 404),
  );
  await t.rejects(flow.token('mailru', { code: 'c' }), refused('provider_not_configured', 404));
  t.equal(store.states.size, 0, 'no state stored for it');
});
