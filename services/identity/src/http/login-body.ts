import type { TSchema } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { checker } from '@propusk/contracts';

/**
 * Validates with TypeBox's compiled checker instead of Fastify's ajv: ajv as Fastify configures
 * it coerces types (`{"username": 1}` would pass as "1") and strips unknown fields instead of
 * refusing them (https://fastify.dev/docs/latest/Reference/Validation-and-Serialization/).
 * A failure reaches the profile's error handler with `validation` set, never Fastify's own body.
 */
export function typeboxValidator<S>({ schema }: Parameters<FastifySchemaCompiler<S>>[0]) {
  // Fastify hands the schema of one part (here the body) although the type names the route's.
  const check = checker(schema as unknown as TSchema);
  return (data: unknown) => {
    if (check.Check(data)) return { value: data };
    const first = check.Errors(data).First();
    const error = new Error(first ? `${first.path || '/'}: ${first.message}` : 'invalid body') as Error & {
      validation: unknown[];
    };
    error.validation = first ? [{ path: first.path, message: first.message }] : [];
    return { error };
  };
}

/** The username a client sent, when it sent one as a string (envelope echoes it in errors). */
export function givenUsername(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const username = (body as Record<string, unknown>).username;
  return typeof username === 'string' ? username : undefined;
}
