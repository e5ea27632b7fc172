import type { standardHttp } from '@propusk/contracts';
import { CLIENT_AUTH_METHODS } from '../../oauth-clients/credentials.js';
import { INTROSPECTION_PATH, REVOCATION_PATH } from '../oauth/routes.js';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * The discovery document (OpenID Connect Discovery 1.0 §3, with RFC 8414 §2's introspection and
 * revocation members), every member honest about what this issuer serves.
 *
 * REQUIRED members with no honest value here, so absent:
 * - `authorization_endpoint`: there is none. Sign-in is each profile's documented API, not an
 *   OAuth authorization endpoint.
 * - `token_endpoint` (REQUIRED unless only the implicit flow is used): there is none either, for
 *   the same reason; so no `token_endpoint_auth_methods_supported` (it would describe nothing).
 * Present although nothing stands behind them:
 * - `response_types_supported`: REQUIRED; with no authorization endpoint no response type is
 *   supported, so the honest list is empty.
 * - `grant_types_supported`: OPTIONAL, but omitted it defaults to ["authorization_code",
 *   "implicit"]: the empty list says that no grant is served.
 * - `id_token_signing_alg_values_supported`: REQUIRED, and must list RS256. No ID token is issued;
 *   RS256 is the one algorithm of every key at `jwks_uri` (envelope and v2 access tokens).
 */
export function discoveryDocument(issuer: string): standardHttp.DiscoveryDocument {
  // The issuer is PUBLIC_BASE_URL with no trailing slash (kit's URL settings drop it): each
  // endpoint is the issuer plus its path, as the gateway serves it.
  return {
    issuer,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    introspection_endpoint: `${issuer}${INTROSPECTION_PATH}`,
    // RFC 8414 §2: the client authentication methods each endpoint takes (oauth-clients/).
    introspection_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    revocation_endpoint: `${issuer}${REVOCATION_PATH}`,
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    response_types_supported: [],
    grant_types_supported: [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

export type DiscoveryDocument = standardHttp.DiscoveryDocument;
