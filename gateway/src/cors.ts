import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '@propusk/kit';
import type { RouteEntry } from './routes/table.js';

/**
 * Request headers a page may send beyond the Fetch standard's CORS-safelisted ones: the access
 * token, `Content-Type: application/json` (only form and text types are safelisted) and a
 * request id to correlate with the logs.
 */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Request-Id'] as const;

/**
 * Answer headers a page may read beyond the safelisted ones: a 429's `Retry-After`, a 401's
 * `WWW-Authenticate` (RFC 6750 §3), the request id, a 405's `Allow`.
 */
export const CORS_EXPOSED_HEADERS = ['Retry-After', 'WWW-Authenticate', 'X-Request-Id', 'Allow'] as const;

/** How long a browser may reuse a preflight answer, in seconds (Chromium caps it at 7200). */
export const CORS_MAX_AGE_S = 600;

/**
 * CORS_ORIGINS as a set of exact origins. The Fetch standard compares the `Origin` header byte
 * for byte with the serialised origin (scheme, lower-case host, port only when not the scheme's
 * default, no path), so anything else in the setting would never match: it stops the start.
 */
export function corsOrigins(list: readonly string[] | undefined): ReadonlySet<string> {
  for (const item of list ?? []) {
    const origin = new URL(item).origin;
    if (origin !== item) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `must list exact origins: ${JSON.stringify(item)} is not one (${origin} is)`,
      );
    }
  }
  return new Set(list);
}

export interface CorsOptions {
  origins: ReadonlySet<string>;
  routes: readonly RouteEntry[];
}

/**
 * CORS for the listed origins (@fastify/cors). Its `onRequest` hook runs before the rate limit
 * and every route's token check (registered first, on the root instance): a preflight is
 * answered 204 there, before anything asks for a token, which a browser never sends on one
 * (Fetch standard, "CORS-preflight request"). Every other answer to an allowed origin — the
 * gateway's own 401, 429 or 404 included — carries `Access-Control-Allow-Origin` and
 * `-Credentials`, so the page can read it. Any other origin gets no CORS header at all; its
 * preflight falls through to the 404/405 of not-found.ts. With no origin listed nothing is
 * registered: answers carry no CORS header, as before the setting existed.
 */
export async function registerCors(app: FastifyInstance, { origins, routes }: CorsOptions): Promise<void> {
  if (origins.size === 0) return;
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && origins.has(origin)),
    // Cookie-bound flows (the admin panel, the provider links) need the browser's credentials.
    credentials: true,
    methods: [...new Set(routes.flatMap((route) => route.methods))],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: CORS_MAX_AGE_S,
    // An OPTIONS without Access-Control-Request-Method from an allowed origin is answered like
    // a preflight (204 with the allowed methods), not with the plugin's text/plain 400.
    strictPreflight: false,
  });
}
