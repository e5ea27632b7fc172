import type { FastifyInstance } from 'fastify';
import { ROUTES, type RouteEntry } from '../routes/table.js';
import { renderDocsPage } from './html.js';
import { buildOpenApi } from './openapi.js';

export const OPENAPI_PATH = '/docs/openapi.json';
export const DOCS_PATH = '/docs';

export interface DocsOptions {
  /** PUBLIC_BASE_URL: the document's server. */
  publicBaseUrl: string;
  routes?: readonly RouteEntry[];
}

/**
 * The gateway's own routes for its documentation, answered here and never proxied: the
 * OpenAPI 3.1 document and its HTML page. Both are built once, when the gateway starts (a
 * route without an operation stops the start), and served from memory.
 */
export function registerDocs(app: FastifyInstance, options: DocsOptions): void {
  const doc = buildOpenApi({ publicBaseUrl: options.publicBaseUrl, routes: options.routes ?? ROUTES });
  const json = JSON.stringify(doc);
  const html = renderDocsPage(doc);
  // The document changes only with a deployment.
  const cache = 'public, max-age=300';

  app.get(OPENAPI_PATH, async (_req, reply) =>
    reply.header('cache-control', cache).type('application/json; charset=utf-8').send(json),
  );
  app.get(DOCS_PATH, async (_req, reply) =>
    reply
      .header('cache-control', cache)
      // The page runs no script and loads nothing: only its inline style is allowed.
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      )
      .header('x-content-type-options', 'nosniff')
      .type('text/html; charset=utf-8')
      .send(html),
  );
}
