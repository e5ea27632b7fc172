import { HTTP_SCHEMA_MODULES, isSchema, PasswordLoginBody, type TSchema } from '@propusk/contracts';

/** A JSON value: what the OpenAPI document is made of. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * The contracts' HTTP schemas as the document's `components.schemas`: each exported schema of
 * contracts' HTTP modules under `<Profile><ExportName>` (`V2RegistrationBody`), named once (an
 * object exported under two names keeps the first). TypeBox schemas are JSON Schema already;
 * `toJsonSchema` drops what is TypeBox's own (its symbol keys, which JSON cannot hold) and `$id`
 * (ids would clash with the component names), and refers to any other named schema it meets.
 */
export interface SchemaCatalogue {
  /** The component name of a contracts schema, if it is one. */
  nameOf(schema: TSchema): string | undefined;
  /** Every named schema, in JSON, as `components.schemas` holds them. */
  components(): Record<string, Json>;
  /** `{"$ref": ...}` for a named schema, else the schema itself in JSON. */
  refOrInline(schema: TSchema): Json;
}

/** Keys of a TypeBox schema that are no part of the JSON Schema it stands for. */
const DROPPED_KEYS = new Set(['$id']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createSchemaCatalogue(): SchemaCatalogue {
  const names = new Map<TSchema, string>();
  const name = (schema: TSchema, label: string) => {
    if (names.has(schema)) return;
    if ([...names.values()].includes(label)) throw new Error(`two HTTP schemas named ${label}`);
    names.set(schema, label);
  };
  // Documents 001 and 004 share one login body: it is named for what it is.
  name(PasswordLoginBody, 'PasswordLoginBody');
  for (const [prefix, module] of Object.entries(HTTP_SCHEMA_MODULES)) {
    for (const [exported, value] of Object.entries(module)) {
      if (isSchema(value)) name(value, `${prefix}${exported}`);
    }
  }

  /** `value` in JSON: string keys only, named schemas below the top as references. */
  function toJson(value: unknown, top: boolean): Json {
    if (Array.isArray(value)) return value.map((v) => toJson(v, false));
    if (isPlainObject(value)) {
      const named = !top && isSchema(value) ? names.get(value) : undefined;
      if (named) return { $ref: `#/components/schemas/${named}` };
      const out: Record<string, Json> = {};
      // Object.entries lists string keys only: TypeBox's Kind and Optional symbols stay behind.
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || DROPPED_KEYS.has(k)) continue;
        out[k] = toJson(v, false);
      }
      return out;
    }
    if (
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean' ||
      value === null
    ) {
      return value;
    }
    throw new Error(`not JSON: ${typeof value}`);
  }

  return {
    nameOf: (schema) => names.get(schema),
    components: () => Object.fromEntries([...names].map(([schema, label]) => [label, toJson(schema, true)])),
    refOrInline: (schema) => toJson(schema, false),
  };
}
