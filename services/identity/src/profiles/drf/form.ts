import type { FastifyRequest } from 'fastify';

/**
 * The API of document 004 is Django REST framework's, whose default parsers take form bodies
 * as well as JSON (https://www.django-rest-framework.org/api-guide/parsers/), so its clients may
 * post `username=…&password=…`. A repeated field keeps its last value, as Django's QueryDict.
 */
export function parseFormBody(_req: FastifyRequest, body: string | Buffer): Promise<Record<string, string>> {
  return Promise.resolve(Object.fromEntries(new URLSearchParams(body.toString())));
}
