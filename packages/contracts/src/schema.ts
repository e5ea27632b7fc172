import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { FormatRegistry } from '@sinclair/typebox';

/**
 * String formats the contracts use. TypeBox knows none by itself: an unregistered format makes
 * every value fail, so they are registered here, once, wherever schemas are checked.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID.test(v));

/**
 * A schema paired with its compiled checker. Checkers are compiled once per schema
 * (the compile is the expensive part) and reused on every message.
 */
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

export function checker<T extends TSchema>(schema: T): TypeCheck<T> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<T>;
}

export interface SchemaIssue {
  path: string;
  message: string;
}

/** Validates a value; returns the first few issues, or none when it matches. */
export function validate<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return checker(schema).Check(value);
}

export function issues<T extends TSchema>(schema: T, value: unknown, max = 5): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  for (const e of checker(schema).Errors(value)) {
    out.push({ path: e.path || '/', message: e.message });
    if (out.length >= max) break;
  }
  return out;
}
