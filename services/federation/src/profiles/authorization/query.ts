import type { TObject, TProperties, TSchema } from '@propusk/contracts';
import { invalidParameter } from '../../request-errors.js';

/**
 * One query parameter of a route as a string, by its name in the route's contracts schema
 * (authorizationHttp: CallbackQuery, ProviderTokenQuery, ProviderSignInQuery), which also gives
 * its longest value: absent or empty is undefined (the flow says which are required); repeated
 * (`?code=a&code=b`, which Fastify parses into an array) or longer than the schema allows is
 * refused, as no provider sends either.
 */
export function queryParam<P extends TProperties>(
  query: unknown,
  schema: TObject<P>,
  name: keyof P & string,
): string | undefined {
  const property: TSchema | undefined = schema.properties[name];
  const maxLength: unknown = property?.maxLength;
  if (typeof maxLength !== 'number') throw new Error(`query schema: ${name} has no maxLength`);
  const value =
    query !== null && typeof query === 'object' ? (query as Record<string, unknown>)[name] : undefined;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalidParameter(name, 'must be given once');
  if (value.length > maxLength) throw invalidParameter(name, 'is too long');
  return value;
}
