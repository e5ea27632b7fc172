/**
 * Performs an authorize GET the way a browser would start it, without following the redirect,
 * so end-to-end tests can take the code from the provider stand-in and hand it to the callback.
 */

export interface AuthorizeRedirect {
  /** The full Location the provider redirected to. */
  location: URL;
  /** Location without its query: the redirect_uri that was used. */
  redirectUri: string;
  code: string;
  state: string | null;
  /** VK ID only. */
  deviceId: string | null;
  params: Record<string, string>;
}

/** The provider refused (no redirect) or redirected with `error=` (e.g. access_denied). */
export class AuthorizeError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
    readonly error: string | null,
    readonly location: URL | null,
  ) {
    super(message);
    this.name = 'AuthorizeError';
  }
}

export async function authorize(
  url: string | URL,
  init: { signal?: AbortSignal } = {},
): Promise<AuthorizeRedirect> {
  const response = await fetch(url, { redirect: 'manual', signal: init.signal ?? AbortSignal.timeout(5000) });
  const body = await response.text();
  const header = response.headers.get('location');
  if (response.status < 300 || response.status > 399 || !header) {
    throw new AuthorizeError(
      `authorize answered ${response.status}: ${body}`,
      response.status,
      body,
      null,
      null,
    );
  }
  const location = new URL(header, url);
  const params = Object.fromEntries(location.searchParams);
  const code = location.searchParams.get('code');
  if (!code) {
    const error = location.searchParams.get('error');
    throw new AuthorizeError(
      `authorize redirected without a code (error=${error})`,
      response.status,
      body,
      error,
      location,
    );
  }
  return {
    location,
    redirectUri: `${location.origin}${location.pathname}`,
    code,
    state: location.searchParams.get('state'),
    deviceId: location.searchParams.get('device_id'),
    params,
  };
}
