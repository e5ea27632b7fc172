import { CookieJar } from '@propusk/testkit';
import { get, jsonOf, type Answer } from './http.js';

/**
 * The browser's part of document 002's provider sign-in, through the gateway: `/{p}/link`
 * gives the authorize URL (and the browser its binding cookie); the provider (a stand-in, the
 * user signed in there already) redirects to our `/{p}/callback`; the callback answers the
 * code (and VK's device_id) as JSON or redirects to the front end with them; get/token
 * exchanges it. The callback and get/token take only the browser that opened the link
 * (RFC 9700 §4.7.1), so each step here is made by a `Browser`: a new one when none is given,
 * which is a browser without the binding.
 */

/** One browser: its cookies go with its requests, the cookies its answers set are kept. */
export class Browser {
  readonly jar = new CookieJar();

  /** A GET of an absolute URL as a browser makes it (redirects not followed; `headers` added). */
  async get(target: URL | string, headers: Record<string, string> = {}): Promise<Answer> {
    const cookie = this.jar.header(target);
    const res = await fetch(target, {
      redirect: 'manual',
      headers: cookie ? { ...headers, cookie } : headers,
      signal: AbortSignal.timeout(10_000),
    });
    this.jar.store(target, res.headers.getSetCookie());
    const text = await res.text();
    const body = jsonOf(text);
    return { status: res.status, headers: res.headers, body, text };
  }
}

/** Document 002's URL segments and the providers' ids in the stand-ins. */
export const PROVIDERS = [
  { id: 'vk', path: 'vk', authorizePath: '/authorize' },
  { id: 'yandex', path: 'yandex', authorizePath: '/authorize' },
  { id: 'mailru', path: 'mail.ru', authorizePath: '/login' },
] as const;

export type ProviderCase = (typeof PROVIDERS)[number];

/** The authorize URL `/{p}/link` answers (a JSON string, document 002) to `browser`. */
export async function linkOf(base: string, path: string, browser = new Browser()): Promise<URL> {
  const res = await browser.get(`${base}/${path}/link`);
  if (res.status !== 200 || typeof res.body !== 'string') {
    throw new Error(`/${path}/link answered ${res.status}: ${res.text}`);
  }
  return new URL(res.body);
}

/**
 * The provider's answer to the browser at its authorize URL: the Location it redirects to (our
 * callback with code, state and for VK device_id). Not followed: the caller decides.
 */
export async function providerRedirect(authorizeUrl: URL | string): Promise<URL> {
  const res = await fetch(authorizeUrl, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  const location = res.headers.get('location');
  await res.text();
  if (res.status < 300 || res.status > 399 || !location) {
    throw new Error(`authorize answered ${res.status} without a redirect`);
  }
  return new URL(location, authorizeUrl);
}

/** A GET of an absolute URL the way `browser` arrives at the callback (not following redirects). */
export function visit(target: URL, browser = new Browser()): Promise<Answer> {
  return browser.get(target);
}

export interface CallbackCode {
  code: string;
  device_id?: string;
}

/**
 * link → authorize → callback (JSON answer) in `browser`: the code and device_id the front end
 * would get (redeemable by that browser).
 */
export async function codeFor(base: string, path: string, browser: Browser): Promise<CallbackCode> {
  const back = await providerRedirect(await linkOf(base, path, browser));
  const res = await visit(back, browser);
  if (res.status !== 200) throw new Error(`/${path}/callback answered ${res.status}: ${res.text}`);
  return res.body as CallbackCode;
}

/** `/{p}/get/token` with what the callback gave, by `browser`. */
export function exchange(
  base: string,
  path: string,
  given: CallbackCode,
  browser = new Browser(),
): Promise<Answer> {
  const query = new URLSearchParams({
    code: given.code,
    ...(given.device_id ? { device_id: given.device_id } : {}),
  });
  return browser.get(`${base}/${path}/get/token?${query}`);
}

/** The whole flow, in a browser of its own, up to the provider's access token. */
export async function providerAccessToken(base: string, path: string): Promise<string> {
  const browser = new Browser();
  const res = await exchange(base, path, await codeFor(base, path, browser), browser);
  if (res.status !== 200) throw new Error(`/${path}/get/token answered ${res.status}: ${res.text}`);
  return (res.body as { access_token: string }).access_token;
}

/** `/{p}/registration` or `/{p}/login` with a provider access token. */
export function signIn(base: string, path: string, step: 'registration' | 'login', accessToken: string) {
  return get(base, `/${path}/${step}?${new URLSearchParams({ access_token: accessToken })}`);
}
