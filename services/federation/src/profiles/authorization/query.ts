import { invalidParameter } from '../../request-errors.js';

/** Codes, states and device ids of the providers are far shorter; longer input is refused. */
const MAX_PARAM_LENGTH = 2048;

/**
 * One query parameter as a string: absent or empty is undefined (the flow says which are
 * required); repeated (`?code=a&code=b`, which Fastify parses into an array) or longer than
 * `maxLength` is refused, as no provider sends either.
 */
export function queryParam(query: unknown, name: string, maxLength = MAX_PARAM_LENGTH): string | undefined {
  const value =
    query !== null && typeof query === 'object' ? (query as Record<string, unknown>)[name] : undefined;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalidParameter(name, 'must be given once');
  if (value.length > maxLength) throw invalidParameter(name, 'is too long');
  return value;
}
