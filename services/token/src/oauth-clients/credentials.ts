/** Client credentials as presented (RFC 6749 §2.3.1): the client id and its secret. */
export interface ClientCredentials {
  readonly id: string;
  readonly secret: string;
}

/**
 * How a client authenticates to the standard endpoints (RFC 8414 §2 names them):
 * `client_secret_basic` sends id and secret in HTTP Basic (RFC 6749 §2.3.1, RFC 7617),
 * `client_secret_post` sends them as the `client_id` and `client_secret` form parameters.
 */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

function fields(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/**
 * `client_secret_post` (RFC 6749 §2.3.1): both parameters, each once (the form parser makes a
 * repeated one an array), the id non-empty; undefined for anything else. The form parser has
 * already form-decoded them.
 */
export function postCredentials(body: unknown): ClientCredentials | undefined {
  const { client_id: id, client_secret: secret } = fields(body);
  if (typeof id !== 'string' || id === '' || typeof secret !== 'string') return undefined;
  return { id, secret };
}

/**
 * True when the body carries client credentials (either parameter). Together with an
 * `Authorization` header that is two methods in one request, which RFC 6749 §2.3 forbids
 * ("MUST NOT use more than one authentication method in each request").
 */
export function bodyNamesClient(body: unknown): boolean {
  const f = fields(body);
  return f.client_id !== undefined || f.client_secret !== undefined;
}
