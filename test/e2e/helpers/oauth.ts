import { get, type Answer } from './http.js';

/**
 * The browser's part of document 002's provider sign-in, through the gateway: `/{p}/link`
 * gives the authorize URL; the provider (a stand-in, the user signed in there already)
 * redirects to our `/{p}/callback`; the callback answers the code (and VK's device_id) as JSON
 * or redirects to the front end with them.
 */

/** Document 002's URL segments and the providers' ids in the stand-ins. */
export const PROVIDERS = [
  { id: 'vk', path: 'vk', authorizePath: '/authorize' },
  { id: 'yandex', path: 'yandex', authorizePath: '/authorize' },
  { id: 'mailru', path: 'mail.ru', authorizePath: '/login' },
] as const;

export type ProviderCase = (typeof PROVIDERS)[number];

/** The authorize URL `/{p}/link` answers (a JSON string, document 002). */
export async function linkOf(base: string, path: string): Promise<URL> {
  const res = await get(base, `/${path}/link`);
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

/** A GET of an absolute URL the way a browser arrives at the callback (not following redirects). */
export async function visit(target: URL): Promise<Answer> {
  const res = await fetch(target, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

export interface CallbackCode {
  code: string;
  device_id?: string;
}

/** link → authorize → callback (JSON answer): the code and device_id the front end would get. */
export async function codeFor(base: string, path: string): Promise<CallbackCode> {
  const back = await providerRedirect(await linkOf(base, path));
  const res = await visit(back);
  if (res.status !== 200) throw new Error(`/${path}/callback answered ${res.status}: ${res.text}`);
  return res.body as CallbackCode;
}

/** `/{p}/get/token` with what the callback gave. */
export function exchange(base: string, path: string, given: CallbackCode): Promise<Answer> {
  const query = new URLSearchParams({
    code: given.code,
    ...(given.device_id ? { device_id: given.device_id } : {}),
  });
  return get(base, `/${path}/get/token?${query}`);
}

/** The whole flow up to the provider's access token. */
export async function providerAccessToken(base: string, path: string): Promise<string> {
  const res = await exchange(base, path, await codeFor(base, path));
  if (res.status !== 200) throw new Error(`/${path}/get/token answered ${res.status}: ${res.text}`);
  return (res.body as { access_token: string }).access_token;
}

/** `/{p}/registration` or `/{p}/login` with a provider access token. */
export function signIn(base: string, path: string, step: 'registration' | 'login', accessToken: string) {
  return get(base, `/${path}/${step}?${new URLSearchParams({ access_token: accessToken })}`);
}
