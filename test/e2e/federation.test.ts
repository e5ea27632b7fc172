import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { bootSuite } from '@propusk/testkit';
import { isDetail, isPair, validAccess } from './helpers/authorization.js';
import { get } from './helpers/http.js';
import {
  Browser,
  codeFor,
  exchange,
  linkOf,
  PROVIDERS,
  providerAccessToken,
  providerRedirect,
  signIn,
  visit,
} from './helpers/oauth.js';
import { foreignToken, newPerson, signedInAt } from './helpers/people.js';

// Document 002's provider sign-in end to end, for VK ID, Yandex and Mail.ru (stand-ins): link →
// the provider's authorize page → our callback → get/token → registration → login, through the
// gateway to federation, identity and token, and each refusal DESIGN asks for: a replayed or
// unknown state, a wrong PKCE verifier, a provider token issued to another application, a
// provider outage (which must leave no account behind). The callback answers JSON here (no
// OAUTH_FRONTEND_REDIRECT); authorization.test.ts covers the redirect. Each flow runs in one
// `Browser` (the binding cookie of `/link`); attacks/oauth-binding.test.ts has the others.

// A provider that hangs costs this much; short, so the outage cases stay quick.
const PROVIDER_TIMEOUT_MS = 1500;
const OUTAGES = ['5xx', 'error-body', 'timeout'] as const;

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

t.test('document 002: sign-in with VK ID, Yandex and Mail.ru through the gateway', async (t) => {
  const suite = await bootSuite({ env: { OAUTH_HTTP_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS) } });
  t.teardown(() => suite.stop());
  const { url, standIns } = suite;

  for (const p of PROVIDERS) {
    const standIn = standIns[p.id];
    const callbackUri = `${url}/${p.path}/callback`;

    t.test(`${p.path}: link → authorize → callback → get/token → registration → login`, async (t) => {
      const person = newPerson(p.id);
      signedInAt(standIns, p.id, person);

      const browser = new Browser();
      const linkRes = await browser.get(`${url}/${p.path}/link`);
      t.equal(linkRes.status, 200, linkRes.text);
      t.match(linkRes.headers.get('content-type'), /^application\/json/);
      t.type(linkRes.body, 'string', 'the link is a JSON string (document 002)');
      const link = new URL(linkRes.body as string);
      t.equal(`${link.origin}${link.pathname}`, `${standIn.url}${p.authorizePath}`, 'at the provider');
      const q = Object.fromEntries(link.searchParams);
      t.match(q, { response_type: 'code', client_id: standIn.clientId, redirect_uri: callbackUri });
      t.match(q.state, /^[A-Za-z0-9_-]{32,}$/, 'an unguessable state');
      t.match(q.code_challenge, /^[A-Za-z0-9_-]{43}$/, 'a PKCE S256 challenge');
      t.equal(q.code_challenge_method?.toLowerCase(), 's256');
      const other = await linkOf(url, p.path);
      t.not(other.searchParams.get('state'), q.state, 'every link has its own state');
      t.not(other.searchParams.get('code_challenge'), q.code_challenge, 'and its own challenge');

      const back = await providerRedirect(link);
      t.equal(
        `${back.origin}${back.pathname}`,
        callbackUri,
        'the provider sends the browser to our callback',
      );
      const callback = await visit(back, browser);
      t.equal(callback.status, 200, callback.text);
      const expected = {
        code: back.searchParams.get('code'),
        ...(p.id === 'vk' ? { device_id: back.searchParams.get('device_id') } : {}),
      };
      t.same(callback.body, expected, 'the callback answers the code (and VK device_id) as JSON');

      const given = callback.body as { code: string; device_id?: string };
      const tokens = await exchange(url, p.path, given, browser);
      t.equal(tokens.status, 200, tokens.text);
      t.same(Object.keys(tokens.body as object).sort(), ['access_token', 'expire_in', 'refresh_token']);
      const { access_token, expire_in } = tokens.body as { access_token: string; expire_in: number };
      t.ok(access_token.length > 0 && expire_in > 0, 'the provider tokens and their lifetime');
      const exchangeCall = standIn.requests.filter((r) => r.method === 'POST').at(-1);
      t.equal(
        s256(exchangeCall?.body.code_verifier ?? ''),
        q.code_challenge,
        'the exchange sent the verifier of the link challenge (PKCE S256)',
      );
      isDetail(t, await exchange(url, p.path, given, browser), 400, 'the same code a second time');

      const missing = await signIn(url, p.path, 'login', access_token);
      isDetail(t, missing, 404, 'login before registration: not registered');

      const registered = isPair(
        t,
        await signIn(url, p.path, 'registration', access_token),
        person.email,
        'registration',
      );
      t.equal(await validAccess(t, url, registered.access, 'registration access'), true);
      isDetail(t, await signIn(url, p.path, 'registration', access_token), 409, 'registration twice');

      const login = isPair(t, await signIn(url, p.path, 'login', access_token), person.email, 'login');
      t.equal(await validAccess(t, url, login.access, 'login access'), true);
      t.not(login.access, registered.access, 'a new session');

      // A later sign-in through the whole flow again finds the same account.
      const later = await providerAccessToken(url, p.path);
      isPair(t, await signIn(url, p.path, 'login', later), person.email, 'login after a new authorization');
    });

    t.test(`${p.path}: a replayed, unknown or missing state is refused`, async (t) => {
      signedInAt(standIns, p.id, newPerson(p.id));
      const browser = new Browser();
      const back = await providerRedirect(await linkOf(url, p.path, browser));
      t.equal((await visit(back, browser)).status, 200, 'first use');
      isDetail(t, await visit(back, browser), 400, 'the same state again');

      const fresh = await providerRedirect(await linkOf(url, p.path, browser));
      const unknown = new URL(fresh);
      unknown.searchParams.set('state', randomBytes(32).toString('base64url'));
      isDetail(t, await visit(unknown, browser), 400, 'a state we never issued');
      const noState = new URL(fresh);
      noState.searchParams.delete('state');
      isDetail(t, await visit(noState, browser), 400, 'no state');
      // The code that came with an unknown state was not bound to anything: it cannot be redeemed.
      const code = fresh.searchParams.get('code') ?? '';
      const deviceId = fresh.searchParams.get('device_id');
      const redeem = await exchange(
        url,
        p.path,
        { code, ...(deviceId ? { device_id: deviceId } : {}) },
        browser,
      );
      isDetail(t, redeem, 400, 'get/token with a code that never passed the callback');
      isDetail(t, await get(url, `/${p.path}/get/token?code=${'x'.repeat(20)}`), 400, 'an unknown code');
    });

    t.test(
      `${p.path}: a code whose challenge is not ours fails at the exchange (wrong verifier)`,
      async (t) => {
        signedInAt(standIns, p.id, newPerson(p.id));
        // Someone swaps the link's challenge for one of their own verifier: the provider binds the
        // code to their challenge, so our verifier for this state does not match it.
        const browser = new Browser();
        const link = await linkOf(url, p.path, browser);
        link.searchParams.set('code_challenge', s256(randomBytes(48).toString('base64url')));
        const back = await providerRedirect(link);
        const callback = await visit(back, browser);
        t.equal(callback.status, 200, 'the state is ours, so the callback takes the code');
        const res = await exchange(
          url,
          p.path,
          callback.body as { code: string; device_id?: string },
          browser,
        );
        isDetail(t, res, 400, 'the provider refuses the verifier');

        // A code injected into another sign-in (its state, our verifier for that state) likewise.
        const first = await providerRedirect(await linkOf(url, p.path));
        const victim = new Browser();
        const second = await providerRedirect(await linkOf(url, p.path, victim));
        const injected = new URL(second);
        injected.searchParams.set('code', first.searchParams.get('code') ?? '');
        const deviceId = first.searchParams.get('device_id');
        if (deviceId) injected.searchParams.set('device_id', deviceId);
        const mixed = await visit(injected, victim);
        t.equal(mixed.status, 200);
        isDetail(
          t,
          await exchange(url, p.path, mixed.body as { code: string }, victim),
          400,
          'a code of another flow',
        );
      },
    );

    t.test(`${p.path}: a provider token issued to another application signs no one in`, async (t) => {
      const person = newPerson(p.id);
      const foreign = foreignToken(standIns, p.id, person);
      isDetail(t, await signIn(url, p.path, 'registration', foreign), 401, 'registration with it');
      isDetail(t, await signIn(url, p.path, 'login', foreign), 401, 'login with it');
      isDetail(
        t,
        await signIn(url, p.path, 'login', `${foreign}x`),
        401,
        'a token the provider does not know',
      );
      isDetail(t, await get(url, `/${p.path}/registration`), 400, 'no token at all');
      // No account was made: the same person through our own client registers fine.
      const ours = await providerAccessToken(url, p.path);
      isPair(t, await signIn(url, p.path, 'registration', ours), person.email, 'registration with our token');
    });

    t.test(`${p.path}: a provider outage answers 502 and leaves no account`, async (t) => {
      t.teardown(() => standIn.setOutage(null));
      for (const mode of OUTAGES) {
        const person = newPerson(p.id);
        signedInAt(standIns, p.id, person);
        const browser = new Browser();
        const code = await codeFor(url, p.path, browser);
        const token = await providerAccessToken(url, p.path);

        standIn.setOutage(mode);
        isDetail(t, await exchange(url, p.path, code, browser), 502, `${mode}: get/token`);
        isDetail(t, await signIn(url, p.path, 'registration', token), 502, `${mode}: registration`);
        isDetail(t, await signIn(url, p.path, 'login', token), 502, `${mode}: login`);
        standIn.setOutage(null);

        // The failed registration made nothing: no account to log in to, and registering works (not 409).
        isDetail(t, await signIn(url, p.path, 'login', token), 404, `${mode}: login after the outage`);
        isPair(
          t,
          await signIn(url, p.path, 'registration', token),
          person.email,
          `${mode}: after the outage`,
        );
      }
    });
  }

  t.test('the provider says no: the callback answers 400 and the state is spent', async (t) => {
    standIns.yandex.denyNext(1);
    const browser = new Browser();
    const link = await linkOf(url, 'yandex', browser);
    const denied = await fetch(link, { redirect: 'manual' });
    const back = new URL(denied.headers.get('location') ?? '', link);
    await denied.text();
    t.equal(back.searchParams.get('error'), 'access_denied');
    isDetail(t, await visit(back, browser), 400, 'access_denied');
    const replay = new URL(back);
    replay.searchParams.delete('error');
    replay.searchParams.delete('error_description');
    replay.searchParams.set('code', 'made-up');
    isDetail(t, await visit(replay, browser), 400, 'its state is no longer usable');
  });
});
