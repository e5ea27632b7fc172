import type { TObject, TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { FastifySchemaCompiler } from 'fastify';
import { checker } from '@propusk/contracts';

/**
 * How identity checks the bodies of document 002's `/authorization/…` routes (contracts'
 * authorizationHttp: the fields its tables list, all `str`, nothing else). Checked with TypeBox,
 * never coerced (see http/login-body.ts); a failure names the field in words a client can act on.
 */

/** A field the client sent that cannot be used (its syntax); the message names the field. */
export class BadField extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadField';
  }
}

/** A JSON pointer's last segment (RFC 6901 §4), shortened: it is echoed to the client. */
function fieldOf(path: string): string {
  const name = (path.split('/').at(-1) ?? '').replaceAll('~1', '/').replaceAll('~0', '~');
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

/** The fields a body takes, for messages: `phone_number, email and hash_password`. */
export function fieldList(schema: TObject): string {
  const names = Object.keys(schema.properties);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
}

/** The first problem of a body, in words (the schema's own messages say nothing of the field). */
export function describeProblem(error: ValueError, schema: TObject): string {
  const field = fieldOf(error.path);
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `${field} is required`;
    case ValueErrorType.ObjectAdditionalProperties:
      return `unknown field ${field}: send only ${fieldList(schema)}`;
    case ValueErrorType.String:
      return `${field} must be a string`;
    case ValueErrorType.StringMinLength:
      return `${field} must not be empty`;
    case ValueErrorType.StringMaxLength:
      return `${field} is too long (at most ${String(error.schema.maxLength)} characters)`;
    default:
      return `the body must be a JSON object with ${fieldList(schema)}`;
  }
}

/**
 * Fastify's validatorCompiler for these bodies: TypeBox's checker (no coercion, unknown fields
 * refused), a failure as an error with `validation` set and the field-naming message, which the
 * profile's error handler answers as 400.
 */
export function authorizationValidator<S>({ schema }: Parameters<FastifySchemaCompiler<S>>[0]) {
  // Fastify hands the schema of one part (here the body) although the type names the route's.
  const body = schema as unknown as TObject;
  const check = checker(body as TSchema);
  return (data: unknown) => {
    if (check.Check(data)) return { value: data };
    const first = check.Errors(data).First();
    const message = first
      ? describeProblem(first, body)
      : `the body must be a JSON object with ${fieldList(body)}`;
    const error = new Error(message) as Error & { validation: unknown[] };
    error.validation = [{ path: first?.path ?? '', message }];
    return { error };
  };
}
