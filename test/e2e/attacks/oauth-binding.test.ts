import t from 'tap';
import { bootSuite } from '@propusk/testkit';
import { isDetail, isPair } from '../helpers/authorization.js';
import {
  Browser,
  exchange,
  linkOf,
  PROVIDERS,
  providerRedirect,
  signIn,
  visit,
  type CallbackCode,
} from '../helpers/oauth.js';
import { newPerson, signedInAt } from '../helpers/people.js';

// Document 002's provider sign-in as two browsers see it, through the gateway, for VK ID, Yandex
// and Mail.ru (stand-ins). Without a binding to the browser, `state` and the code are bearer
// credentials: an attacker who has someone's callback URL, or the front-end URL with the code
// (Referer, history, logs), redeems it for the provider's tokens (account takeover), and an
// attacker who sends someone to the attacker's own callback URL signs them in as the attacker
// (login CSRF). `/link` therefore sets an HttpOnly, SameSite=Lax cookie whose hash is stored with
// the state (RFC 9700 §4.7.1), the callback and get/token need it (§4.5 for the code), and a
// stranger's try spends nothing, so the user's own sign-in still goes through. The callback
// redirects to a front end on another origin of the same site, which reads the code and calls
// get/token with credentials (CORS_ORIGINS lists it).

const FRONT_END_ORIGIN = 'http://front.localhost:5173';
const FRONT_END = `${FRONT_END_ORIGIN}/signed-in`;

/** `Set-Cookie` of `/link`: HttpOnly, SameSite=Lax, only the provider's routes, not Secure on http. */
const bindingCookie = (path: string) =>
  new RegExp(
    `^propusk_oauth=[A-Za-z0-9_-]{43}; Max-Age=\\d+; Path=/${path.replace('.', '\\.')}; HttpOnly; SameSite=Lax$`,
  );

/** What the front end gets in the callback's redirect: the code (and VK's device_id). */
function frontEndCode(location: string | null): CallbackCode {
  const target = new URL(location ?? '');
  if (`${target.origin}${target.pathname}` !== FRONT_END) throw new Error(`redirected to ${target.href}`);
  const deviceId = target.searchParams.get('device_id');
  return { code: target.searchParams.get('code') ?? '', ...(deviceId ? { device_id: deviceId } : {}) };
}

t.test('OAuth state and code are bound to the browser that opened the link', async (t) => {
  const suite = await bootSuite({
    env: { OAUTH_FRONTEND_REDIRECT: FRONT_END, CORS_ORIGINS: FRONT_END_ORIGIN },
  });
  t.teardown(() => suite.stop());
  const { url, standIns } = suite;

  for (const p of PROVIDERS) {
    t.test(
      `${p.path}: another browser's callback and get/token are refused, the browser that opened the link signs in`,
      async (t) => {
        const person = newPerson(`bind-${p.id}`);
        signedInAt(standIns, p.id, person);

        // The user's browser: the front end fetches the link with credentials, through the gateway.
        const user = new Browser();
        const link = await user.get(`${url}/${p.path}/link`, { origin: FRONT_END_ORIGIN });
        t.equal(link.status, 200, link.text);
        t.equal(link.headers.get('access-control-allow-origin'), FRONT_END_ORIGIN, 'CORS: the front end');
        t.equal(link.headers.get('access-control-allow-credentials'), 'true', 'CORS: with its cookies');
        const setCookie = link.headers.getSetCookie();
        t.equal(setCookie.length, 1, 'the gateway passes the Set-Cookie on');
        t.match(setCookie[0], bindingCookie(p.path));
        const authorizeUrl = new URL(link.body as string);
        const state = authorizeUrl.searchParams.get('state') ?? '';
        t.notOk(setCookie[0]?.includes(state), 'the cookie is not the state');

        // The provider sends the user back: this URL (state, code) is what leaks.
        const back = await providerRedirect(authorizeUrl);
        const attacker = new Browser();
        await linkOf(url, p.path, attacker); // a binding of the attacker's own
        for (const [who, stranger] of [
          ['no cookie', new Browser()],
          ["the attacker's own cookie", attacker],
        ] as const) {
          isDetail(t, await visit(back, stranger), 400, `callback from a browser with ${who}`);
        }

        const callback = await visit(back, user);
        t.equal(
          callback.status,
          302,
          `the user's own callback still works after the tries: ${callback.text}`,
        );
        const given = frontEndCode(callback.headers.get('location'));
        t.equal(given.code, back.searchParams.get('code'), 'the front end gets the code');

        // The front-end URL leaks (Referer, history, logs): its code is useless elsewhere.
        const tokenRequests = standIns[p.id].requests.filter((r) => r.method === 'POST').length;
        for (const [who, stranger] of [
          ['no cookie', new Browser()],
          ["the attacker's own cookie", attacker],
        ] as const) {
          isDetail(
            t,
            await exchange(url, p.path, given, stranger),
            400,
            `get/token from a browser with ${who}`,
          );
        }
        t.equal(
          standIns[p.id].requests.filter((r) => r.method === 'POST').length,
          tokenRequests,
          'the provider never saw the code from a stranger',
        );

        const tokens = await user.get(`${url}/${p.path}/get/token?${new URLSearchParams({ ...given })}`, {
          origin: FRONT_END_ORIGIN,
        });
        t.equal(tokens.status, 200, `the user's get/token after the tries: ${tokens.text}`);
        t.same(Object.keys(tokens.body as object).sort(), ['access_token', 'expire_in', 'refresh_token']);
        t.equal(
          tokens.headers.get('access-control-allow-origin'),
          FRONT_END_ORIGIN,
          'CORS: readable by the page',
        );
        t.same(
          tokens.headers.getSetCookie(),
          [`propusk_oauth=; Max-Age=0; Path=/${p.path}; HttpOnly; SameSite=Lax`],
          'get/token clears the binding',
        );
        isDetail(t, await exchange(url, p.path, given, user), 400, 'the code, once redeemed, is gone');

        const { access_token } = tokens.body as { access_token: string };
        isPair(t, await signIn(url, p.path, 'registration', access_token), person.email, 'the user signs up');
      },
    );

    t.test(
      `${p.path}: login CSRF: the attacker's callback URL signs no one in from the victim's browser`,
      async (t) => {
        // The attacker authorizes with the attacker's own provider account and stops before the
        // callback, then gets the victim's browser to open that URL (a link, an <img>, a redirect).
        signedInAt(standIns, p.id, newPerson(`csrf-${p.id}`));
        const attacker = new Browser();
        const planted = await providerRedirect(await linkOf(url, p.path, attacker));

        const victim = new Browser();
        isDetail(t, await visit(planted, victim), 400, 'a victim with no flow of their own');
        await linkOf(url, p.path, victim);
        isDetail(t, await visit(planted, victim), 400, 'a victim in the middle of their own sign-in');

        // The refusal is the binding's doing: in the browser that opened it, the link is still good.
        const own = await visit(planted, attacker);
        t.equal(own.status, 302, `the attacker's own browser: ${own.text}`);
      },
    );
  }
});
