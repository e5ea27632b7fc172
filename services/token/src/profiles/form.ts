import type { FastifyInstance } from 'fastify';

/** A form body: each field's value, or every value of a field given more than once. */
export type FormBody = Record<string, string | string[]>;

/** A form field given twice is ambiguous: it becomes an array, which each route's check refuses. */
export function parseForm(text: string): FormBody {
  const out: FormBody = Object.create(null);
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  }
  return { ...out };
}

/** Adds `application/x-www-form-urlencoded` (parsed by `parseForm`) within the scope. */
export function addFormParser(scope: FastifyInstance): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, text, done) =>
    done(null, parseForm(text as string)),
  );
}
