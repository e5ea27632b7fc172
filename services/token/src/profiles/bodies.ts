import type { FastifyInstance } from 'fastify';

/**
 * Logout routes take no parameters (documents 000 and 004): any body is read (within the body
 * limit) and ignored, so a stray or malformed body cannot turn a logout into an error.
 */
export function ignoreBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));
}
