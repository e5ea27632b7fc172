import { parseSetCookie } from 'cookie';

/**
 * One browser's cookies, for tests that must carry what a service set (document 002's OAuth
 * binding cookie): Set-Cookie lines are kept per host, path and name, and sent back only where
 * a browser would send them (RFC 6265 §5.1.4 path-match, most specific path first, §5.4).
 * Max-Age ≤ 0 deletes (§5.2.2). What a Node client cannot tell apart is not modelled: Secure
 * cookies go to 127.0.0.1 as browsers treat loopback as secure, and SameSite is the caller's
 * business (the tests play a same-site front end). Domain and Expires are not used by us.
 */
export class CookieJar {
  readonly #cookies = new Map<string, { host: string; path: string; name: string; value: string }>();

  /** Keeps what an answer to `url` set (`Headers.getSetCookie()`, or inject's `set-cookie`). */
  store(url: string | URL, setCookie: string | readonly string[] | undefined): void {
    const target = new URL(url);
    const lines = typeof setCookie === 'string' ? [setCookie] : (setCookie ?? []);
    for (const line of lines) {
      const parsed = parseSetCookie(line, { decode: (v) => v });
      const path = parsed.path?.startsWith('/') ? parsed.path : defaultPath(target.pathname);
      const key = `${target.host} ${path} ${parsed.name}`;
      if (parsed.maxAge !== undefined && parsed.maxAge <= 0) this.#cookies.delete(key);
      else this.#cookies.set(key, { host: target.host, path, name: parsed.name, value: parsed.value ?? '' });
    }
  }

  /** The Cookie header a browser would send with a request to `url`; undefined when none. */
  header(url: string | URL): string | undefined {
    const target = new URL(url);
    const sent = [...this.#cookies.values()]
      .filter((c) => c.host === target.host && pathMatches(target.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`);
    return sent.length > 0 ? sent.join('; ') : undefined;
  }

  /** The value of the cookie `name` sent to `url`, if any. */
  value(url: string | URL, name: string): string | undefined {
    const target = new URL(url);
    return [...this.#cookies.values()].find(
      (c) => c.name === name && c.host === target.host && pathMatches(target.pathname, c.path),
    )?.value;
  }

  clear(): void {
    this.#cookies.clear();
  }
}

/** RFC 6265 §5.1.4: the request path is the cookie path, or below it at a `/`. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** RFC 6265 §5.1.4 default-path: the request path up to, not including, its last `/`. */
function defaultPath(requestPath: string): string {
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}
