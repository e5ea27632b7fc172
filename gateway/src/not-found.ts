import type { FastifyInstance } from 'fastify';
import { sendFailure } from './proxy.js';
import { profileOfPath, type RouteEntry } from './routes/table.js';

/** A path of the table, as the router matches it: decoded, without its trailing slash. */
function routeKey(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * The request path as the router saw it: percent-decoded (document 003's `/v2/auth/%D1%81ode` is
 * the table's Cyrillic path). A path that does not decode matches no route.
 */
function decodedPath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

interface KnownPath {
  /** The first entry of the path: its profile and documented code shape the 405. */
  readonly route: RouteEntry;
  /** Every method the table serves on the path, for `Allow`. */
  readonly methods: readonly string[];
}

function knownPaths(routes: readonly RouteEntry[]): ReadonlyMap<string, KnownPath> {
  const known = new Map<string, KnownPath>();
  for (const route of routes) {
    const key = routeKey(route.path);
    const seen = known.get(key);
    const methods = [...new Set([...(seen?.methods ?? []), ...route.methods])];
    known.set(key, { route: seen?.route ?? route, methods });
  }
  return known;
}

/**
 * Anything the router did not match. A path of the table asked with another method is 405 with
 * `Allow` (RFC 9110 §15.5.6), in the shape of the route's profile (the standard endpoints':
 * RFC 6749 §5.2's). Any other path is 404 JSON (DESIGN: "Unknown paths: 404 JSON"), in the shape
 * of the profile whose URL space it lies in (routes/table.ts, profileOfPath), else the gateway's
 * generic `{"error", "message"}`.
 */
export function registerNotFound(app: FastifyInstance, routes: readonly RouteEntry[]): void {
  const known = knownPaths(routes);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const decoded = decodedPath(path);
    const match = decoded === undefined ? undefined : known.get(routeKey(decoded));
    if (match) {
      return sendFailure(reply, match.route, 'method_not_allowed', {
        method: req.method,
        allow: match.methods,
      });
    }
    const profile = profileOfPath(path);
    if (profile) return sendFailure(reply, { profile }, 'not_found');
    return reply.code(404).send({ error: 'not_found', message: `no route for ${req.method} ${path}` });
  });
}
