import type { FastifyInstance } from 'fastify';
import { sendFailure } from './proxy.js';
import { profileOfPath } from './routes/table.js';

/**
 * Anything outside the route table: 404 JSON (DESIGN: "Unknown paths: 404 JSON"), in the shape
 * of the profile whose URL space the path lies in (routes/table.ts, profileOfPath), else the
 * gateway's generic `{"error", "message"}`.
 */
export function registerNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const profile = profileOfPath(path);
    if (profile) return sendFailure(reply, { profile }, 'not_found');
    return reply.code(404).send({ error: 'not_found', message: `no route for ${req.method} ${path}` });
  });
}
