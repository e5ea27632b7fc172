import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The cookie that binds a provider sign-in to the browser that started it (RFC 9700 §4.7.1:
 * the CSRF token bound to the user agent; §4.5: the code only redeemable by that same client).
 * `/link` sets it, the callback and get/token read it, get/token clears it whatever its outcome:
 * it is the flow's last step (an exchange that failed has spent the code; a retry starts at
 * `/link`).
 *
 * - HttpOnly: no script reads it, so an XSS on the front end cannot lift it with the code.
 * - SameSite=Lax: the provider's redirect to the callback is a top-level GET navigation from
 *   another site, which carries Lax cookies; a cross-site form POST or sub-request does not.
 *   A front end calling get/token must therefore be on the same site as the gateway (e.g.
 *   app.example.ru and auth.example.ru) and send credentials (`fetch(…, {credentials: 'include'})`).
 * - Path: `<PUBLIC_BASE_URL's path>/<provider>`, so it travels only to that provider's routes
 *   (RFC 6265 §5.1.4: `/vk` matches `/vk/callback`, not `/vkontakte`), and the providers' flows
 *   in one browser do not clobber each other.
 * - Secure (with the `__Secure-` name prefix, RFC 6265bis §4.1.3.1, so a plain-http page of a
 *   sibling host cannot plant one) when PUBLIC_BASE_URL is https or in production.
 * - Max-Age: the state's lifetime plus the code's, the longest a flow can take.
 */
export interface BindingCookie {
  /** The binding the request carries, if it carries a well-formed one. */
  read(req: FastifyRequest): string | undefined;
  set(reply: FastifyReply, binding: string): FastifyReply;
  clear(reply: FastifyReply): FastifyReply;
}

export interface BindingCookieOptions {
  /** PUBLIC_BASE_URL: its path prefixes the cookie's path (the gateway may sit under one). */
  publicBaseUrl: string;
  /** In production, or when PUBLIC_BASE_URL is https. */
  secure: boolean;
  /** OAUTH_STATE_TTL_S + OAUTH_CODE_TTL_S. */
  maxAgeS: number;
}

const NAME = 'propusk_oauth';

/** pkce.ts `newBinding`: 32 CSPRNG bytes as base64url. Anything else is no binding of ours. */
const BINDING_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** The browser binding cookie of one provider, whose routes live under `/<segment>`. */
export function bindingCookie(segment: string, options: BindingCookieOptions): BindingCookie {
  const name = options.secure ? `__Secure-${NAME}` : NAME;
  const base = new URL(options.publicBaseUrl).pathname.replace(/\/+$/, '');
  const attributes = {
    name,
    path: `${base}/${segment}`,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
  } as const;
  const setCookie = (reply: FastifyReply, value: string, maxAge: number) =>
    reply.header('set-cookie', stringifySetCookie({ ...attributes, value, maxAge }));

  return {
    read(req) {
      const header = req.headers.cookie;
      if (!header) return undefined;
      // The most specific path comes first (RFC 6265 §5.4), so ours wins over a planted `Path=/`.
      const value = parseCookie(header, { decode: (v) => v })[name];
      return value !== undefined && BINDING_FORMAT.test(value) ? value : undefined;
    },
    set: (reply, binding) => setCookie(reply, binding, options.maxAgeS),
    // RFC 6265 §5.2.2: Max-Age=0 expires it at once; same name and path replace it.
    clear: (reply) => setCookie(reply, '', 0),
  };
}
